//! Generates, from one cbindgen run with a pinned cbindgen, the two headers:
//! - OUT_DIR/alphapo.h, the C and C++ header (`extern "C"` guards, documented);
//! - OUT_DIR/alphapo_ffi.h, the same declarations for PHP FFI: no preprocessor line, no
//!   guard, no comment (PHP cannot parse them).
//!
//! With `ALPHAPO_UPDATE_HEADER=1` (what `make header` sets) it also writes
//! include/alphapo.h and bindings/php/alphapo_ffi.h; tests/abi.rs checks that the committed
//! headers equal the generated ones. It also gives every build of the cdylib its SONAME.

use std::env;
use std::path::{Path, PathBuf};

/// The cdylib's SONAME: the ABI major, 0 until 1.0. `make lib` and `make install` add the
/// link of that name next to the library.
const SONAME: &str = "libalphapo.so.0";

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=ALPHAPO_UPDATE_HEADER");
    if env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,{SONAME}");
    }
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));
    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is valid");
    let version = |part: &str| env::var(format!("CARGO_PKG_VERSION_{part}")).expect("set by cargo");
    // The include guard is written here rather than by cbindgen, so that the `extern "C"`
    // block sits inside it (cbindgen writes its trailer after the guard's #endif) and
    // around every declaration.
    let guard = config
        .include_guard
        .take()
        .expect("cbindgen.toml names the include guard");
    config.header = Some(format!("#ifndef {guard}\n#define {guard}"));
    config.after_includes = Some(format!(
        "\n#define ALPHAPO_VERSION \"{}\"\n#define ALPHAPO_VERSION_MAJOR {}\n#define ALPHAPO_VERSION_MINOR {}\n#define ALPHAPO_VERSION_PATCH {}\n#define FFI_SCOPE \"ALPHAPO\"\n\n#ifdef __cplusplus\nextern \"C\" {{\n#endif",
        env::var("CARGO_PKG_VERSION").expect("set by cargo"),
        version("MAJOR"),
        version("MINOR"),
        version("PATCH"),
    ));
    config.trailer = Some(format!(
        "#ifdef __cplusplus\n}} /* extern \"C\" */\n#endif\n\n#endif /* {guard} */"
    ));
    let mut bindings = cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen can read the crate");
    let header = out_dir.join("alphapo.h");
    bindings.write_to_file(&header);

    // The same declarations for PHP FFI: everything above that is not a declaration goes.
    let php = &mut bindings.config;
    php.header = None;
    php.trailer = None;
    php.after_includes = None;
    php.autogen_warning = None;
    php.sys_includes.clear();
    php.no_includes = true;
    php.documentation = false;
    let php_header = out_dir.join("alphapo_ffi.h");
    bindings.write_to_file(&php_header);

    println!("cargo:include={}", out_dir.display());
    if env::var("ALPHAPO_UPDATE_HEADER").as_deref() == Ok("1") {
        update(&header, &crate_dir.join("include/alphapo.h"));
        update(&php_header, &crate_dir.join("bindings/php/alphapo_ffi.h"));
    }
}

fn update(generated: &Path, committed: &Path) {
    std::fs::create_dir_all(committed.parent().expect("a file in a folder"))
        .expect("the header's folder can be created");
    std::fs::copy(generated, committed).expect("header can be written");
}
