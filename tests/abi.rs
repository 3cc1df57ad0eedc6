//! The C ABI surface: the committed header is fresh, compiles as strict C99 and parses
//! under PHP FFI; the library exports only `alphapo_` symbols; every exported function
//! sits inside the panic boundary; versions agree.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn committed_header() -> String {
    std::fs::read_to_string(root().join("include/alphapo.h")).expect("include/alphapo.h exists")
}

/// The shared library built by `make lib` (`cargo build --release`).
fn shared_library() -> PathBuf {
    let lib = root().join("target/release/libalphapo.so");
    assert!(
        lib.exists(),
        "{} is missing: run `make lib` (cargo build --release) before the tests",
        lib.display()
    );
    lib
}

#[test]
fn committed_header_is_fresh() {
    let generated = Path::new(env!("OUT_DIR")).join("alphapo.h");
    let generated = std::fs::read_to_string(&generated).expect("build.rs generated the header");
    assert!(
        committed_header() == generated,
        "include/alphapo.h is stale: run `make header` and commit it"
    );
}

#[test]
fn header_ends_with_newline_and_has_no_cpp_block() {
    let h = committed_header();
    assert!(h.ends_with('\n'), "PHP FFI needs a final newline");
    assert!(
        !h.contains("__cplusplus"),
        "PHP FFI cannot parse a C++ block"
    );
    assert!(
        !h.contains("202311L"),
        "no C23 typed enums (PHP FFI cannot parse them)"
    );
}

#[test]
fn header_compiles_as_strict_c99() {
    let dir = std::env::temp_dir().join(format!("alphapo-header-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("h.c");
    std::fs::write(&src, "#include \"alphapo.h\"\n#include \"alphapo.h\"\nint main(void) { return ALPHAPO_STATUS_OK; }\n").unwrap();
    let out = Command::new("gcc")
        .args([
            "-std=c99",
            "-Wall",
            "-Wextra",
            "-Wpedantic",
            "-Werror",
            "-fsyntax-only",
        ])
        .arg("-I")
        .arg(root().join("include"))
        .arg(&src)
        .output()
        .expect("gcc runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn header_parses_under_php_ffi() {
    let header = root().join("include/alphapo.h");
    let lib = shared_library();
    let script = format!(
        "$ffi = FFI::cdef(file_get_contents({:?}), {:?}); \
         $out = FFI::new('char[129]'); \
         $s = 'AbCdEfG123456'; $b = '{{\"currency\":\"BTC\",\"foreign_id\":\"123456\"}}'; \
         $buf = function ($t) {{ $m = FFI::new('uint8_t[' . strlen($t) . ']'); FFI::memcpy($m, $t, strlen($t)); return $m; }}; \
         $st = $ffi->alphapo_sign($buf($s), strlen($s), $buf($b), strlen($b), $out, 129); \
         echo $st, ' ', FFI::string($out), ' ', $ffi->alphapo_version();",
        header.display().to_string(),
        lib.display().to_string()
    );
    let out = Command::new("php")
        .args(["-d", "ffi.enable=1", "-r", &script])
        .output()
        .expect("php runs (make test installs php-cli)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "php failed: {stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout,
        format!(
            "0 03c25fcf7cd35e7d995e402cd5d51edd72d48e1471e865907967809a0c189ba55b90815f20e2bb10f82c7a9e9d865546fda58989c2ae9e8e2ff7bc29195fa1ec {}",
            env!("CARGO_PKG_VERSION")
        )
    );
}

fn exported_symbols() -> Vec<String> {
    let out = Command::new("nm")
        .args(["-D", "--defined-only"])
        .arg(shared_library())
        .output()
        .expect("nm runs");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
        .collect()
}

#[test]
fn only_prefixed_symbols_are_exported() {
    let symbols = exported_symbols();
    let foreign: Vec<&String> = symbols
        .iter()
        .filter(|s| !s.starts_with("alphapo_"))
        .collect();
    assert!(foreign.is_empty(), "unprefixed exports: {foreign:?}");
    assert!(symbols.iter().any(|s| s == "alphapo_sign"));
}

/// Every `extern "C" fn` in src/ffi, with its body.
fn exported_functions() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join("src/ffi")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let mut rest = text.as_str();
        while let Some(i) = rest.find("extern \"C\" fn ") {
            let after = &rest[i + "extern \"C\" fn ".len()..];
            let name: String = after
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let body_start = after.find('{').expect("a body");
            let body = after[body_start + 1..].trim_start();
            out.push((name, body.chars().take(40).collect()));
            rest = &after[body_start..];
        }
    }
    out
}

#[test]
fn every_export_sits_inside_the_panic_boundary() {
    let functions = exported_functions();
    assert!(functions.len() > 50, "found only {}", functions.len());
    for (name, body) in &functions {
        assert!(
            body.starts_with("ffi_boundary!("),
            "{name} does not start with ffi_boundary!: {body}"
        );
    }
    // Every exported function is declared in the header, and every exported symbol is one
    // of them.
    let header = committed_header();
    let symbols = exported_symbols();
    for (name, _) in &functions {
        assert!(
            header.contains(&format!("{name}(")),
            "{name} missing from the header"
        );
        assert!(symbols.contains(name), "{name} not exported");
    }
    assert_eq!(symbols.len(), functions.len(), "exports: {symbols:?}");
}

#[test]
fn versions_agree() {
    let h = committed_header();
    let version = env!("CARGO_PKG_VERSION");
    assert!(h.contains(&format!("#define ALPHAPO_VERSION \"{version}\"")));
    let mut parts = version.split('.');
    for part in ["MAJOR", "MINOR", "PATCH"] {
        let n = parts.next().unwrap();
        assert!(
            h.contains(&format!("#define ALPHAPO_VERSION_{part} {n}\n")),
            "ALPHAPO_VERSION_{part}"
        );
    }
    let runtime = unsafe { std::ffi::CStr::from_ptr(alphapo::ffi::alphapo_version()) };
    assert_eq!(runtime.to_str().unwrap(), version);
}

#[test]
fn status_enum_in_header_matches_the_core() {
    let h = committed_header();
    for status in alphapo::Status::ALL {
        let line = format!("ALPHAPO_STATUS_{} = {},", status.name(), status.code());
        assert!(h.contains(&line), "header lacks {line}");
    }
    for kind in alphapo::OperationKind::ALL {
        let code = kind as u32;
        let found = h.lines().any(|l| {
            l.trim().starts_with("ALPHAPO_OPERATION_") && l.trim().ends_with(&format!("= {code},"))
        });
        assert!(found, "operation {code} ({}) missing", kind.name());
    }
}
