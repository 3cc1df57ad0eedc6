//! Generates the C header with a pinned cbindgen into OUT_DIR/alphapo.h. With
//! `ALPHAPO_UPDATE_HEADER=1` (what `make header` sets) it also writes include/alphapo.h;
//! a test checks that the committed header equals the generated one.

use std::env;
use std::path::PathBuf;

fn main() {
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    println!("cargo:rerun-if-env-changed=ALPHAPO_UPDATE_HEADER");
    let crate_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out_dir = PathBuf::from(env::var("OUT_DIR").expect("set by cargo"));
    let mut config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml"))
        .expect("cbindgen.toml is valid");
    let version = |part: &str| env::var(format!("CARGO_PKG_VERSION_{part}")).expect("set by cargo");
    config.after_includes = Some(format!(
        "\n#define ALPHAPO_VERSION \"{}\"\n#define ALPHAPO_VERSION_MAJOR {}\n#define ALPHAPO_VERSION_MINOR {}\n#define ALPHAPO_VERSION_PATCH {}\n#define FFI_SCOPE \"ALPHAPO\"\n",
        env::var("CARGO_PKG_VERSION").expect("set by cargo"),
        version("MAJOR"),
        version("MINOR"),
        version("PATCH"),
    ));
    let header = out_dir.join("alphapo.h");
    cbindgen::Builder::new()
        .with_crate(&crate_dir)
        .with_config(config)
        .generate()
        .expect("cbindgen can read the crate")
        .write_to_file(&header);
    println!("cargo:include={}", out_dir.display());
    if env::var("ALPHAPO_UPDATE_HEADER").as_deref() == Ok("1") {
        std::fs::create_dir_all(crate_dir.join("include")).expect("include/ can be created");
        std::fs::copy(&header, crate_dir.join("include/alphapo.h")).expect("header can be written");
    }
}
