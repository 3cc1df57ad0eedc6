//! The C ABI surface: the committed headers are fresh; the C header compiles as strict C99
//! and C++11; PHP's header parses under PHP FFI and declares exactly what the C header
//! declares; the library exports only `alphapo_` symbols; every exported function sits
//! inside the panic boundary; versions agree.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The C and C++ header.
const C_HEADER: &str = "include/alphapo.h";
/// PHP's copy: the same declarations with no preprocessor line and no comment.
const PHP_HEADER: &str = "bindings/php/alphapo_ffi.h";

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn committed_header() -> String {
    read(C_HEADER)
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
fn committed_headers_are_fresh() {
    for (committed, generated) in [(C_HEADER, "alphapo.h"), (PHP_HEADER, "alphapo_ffi.h")] {
        let generated = Path::new(env!("OUT_DIR")).join(generated);
        let generated = std::fs::read_to_string(&generated).expect("build.rs generated the header");
        assert!(
            read(committed) == generated,
            "{committed} is stale: run `make header` and commit it"
        );
    }
}

#[test]
fn c_header_has_cpp_guards_and_no_c23_enums() {
    let h = committed_header();
    assert!(h.ends_with('\n'));
    let open = h.find("#ifdef __cplusplus\nextern \"C\" {\n#endif\n");
    let close = h.rfind("#ifdef __cplusplus\n} /* extern \"C\" */\n#endif\n");
    let (Some(open), Some(close)) = (open, close) else {
        panic!("{C_HEADER} lacks its extern \"C\" block");
    };
    // Every declaration sits inside the block, and the block inside the include guard.
    let first_typedef = h.find("typedef").expect("declarations");
    let last_function = h.rfind(");").expect("functions");
    assert!(open < first_typedef && last_function < close);
    assert!(h[close..].contains("#endif /* ALPHAPO_H */"));
    assert!(
        !h.contains("202311L"),
        "no C23 typed enums (PHP FFI cannot parse them)"
    );
}

#[test]
fn php_header_has_only_declarations() {
    let h = read(PHP_HEADER);
    assert!(h.ends_with('\n'), "PHP FFI needs a final newline");
    for line in h.lines() {
        let line = line.trim_start();
        assert!(
            !line.starts_with('#'),
            "preprocessor line in {PHP_HEADER}: {line}"
        );
        assert!(
            !line.contains("/*") && !line.contains("//"),
            "comment in {PHP_HEADER}: {line}"
        );
    }
    assert!(!h.contains("extern") && !h.contains("202311L"));
}

/// Top-level declarations, whitespace-normalized, in order: comments, preprocessor lines and
/// the C header's `extern "C"` block removed.
fn declarations(text: &str) -> Vec<String> {
    let mut code = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("/*") {
        code.push_str(&rest[..start]);
        let end = rest[start..].find("*/").expect("closed comment");
        rest = &rest[start + end + 2..];
    }
    code.push_str(rest);
    let code: String = code
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .collect::<Vec<_>>()
        .join("\n");
    let code = match code.split_once("extern \"C\" {") {
        Some((before, inside)) => {
            let inside = inside.trim_end();
            let inside = inside
                .strip_suffix('}')
                .expect("the extern \"C\" block closes last");
            format!("{before}{inside}")
        }
        None => code,
    };
    let mut out = Vec::new();
    let (mut depth, mut current) = (0usize, String::new());
    for c in code.chars() {
        current.push(c);
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ';' if depth == 0 => {
                out.push(current.split_whitespace().collect::<Vec<_>>().join(" "));
                current.clear();
            }
            _ => {}
        }
    }
    assert!(
        current.trim().is_empty(),
        "text after the last declaration: {current}"
    );
    out
}

/// name -> declaration of every function.
fn functions(declarations: &[String]) -> BTreeMap<String, String> {
    declarations
        .iter()
        .filter(|d| !d.starts_with("typedef") && d.contains('('))
        .map(|d| {
            let name = d[..d.find('(').unwrap()]
                .rsplit([' ', '*'])
                .next()
                .unwrap()
                .to_string();
            (name, d.clone())
        })
        .collect()
}

#[test]
fn both_headers_declare_the_same_functions_and_types() {
    let c = declarations(&committed_header());
    let php = declarations(&read(PHP_HEADER));
    let (c_functions, php_functions) = (functions(&c), functions(&php));
    assert!(c_functions.len() > 50, "found only {}", c_functions.len());
    assert!(c_functions.contains_key("alphapo_sign"));
    for (name, declaration) in &c_functions {
        assert_eq!(
            php_functions.get(name),
            Some(declaration),
            "{name} differs in {PHP_HEADER}"
        );
    }
    let extra: Vec<_> = php_functions
        .keys()
        .filter(|n| !c_functions.contains_key(*n))
        .collect();
    assert!(extra.is_empty(), "only in {PHP_HEADER}: {extra:?}");
    // The types too, and in the same order.
    assert_eq!(c, php);
}

/// Compiles a file that includes the C header twice with `compiler` and `args` (strict).
fn header_compiles(compiler: &str, file: &str, args: &[&str]) {
    let dir =
        std::env::temp_dir().join(format!("alphapo-header-{compiler}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join(file);
    std::fs::write(&src, "#include \"alphapo.h\"\n#include \"alphapo.h\"\nint main(void) { return ALPHAPO_STATUS_OK; }\n").unwrap();
    let out = Command::new(compiler)
        .args(args)
        .args(["-Wall", "-Wextra", "-Wpedantic", "-Werror", "-fsyntax-only"])
        .arg("-I")
        .arg(root().join("include"))
        .arg(&src)
        .output()
        .unwrap_or_else(|e| panic!("{compiler} runs: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn header_compiles_as_strict_c99() {
    header_compiles("gcc", "h.c", &["-std=c99"]);
}

#[test]
fn header_compiles_as_strict_cpp11() {
    header_compiles("g++", "h.cpp", &["-std=c++11"]);
}

#[test]
fn header_parses_under_php_ffi() {
    let header = root().join(PHP_HEADER);
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
fn the_library_has_its_soname() {
    let out = Command::new("readelf")
        .arg("-d")
        .arg(shared_library())
        .output()
        .expect("readelf runs");
    assert!(out.status.success());
    let dynamic = String::from_utf8_lossy(&out.stdout);
    assert!(
        dynamic
            .lines()
            .any(|l| l.contains("(SONAME)") && l.contains("[libalphapo.so.0]")),
        "no SONAME libalphapo.so.0: {dynamic}"
    );
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
    for kind in alphapo::operations::OPERATIONS.iter().map(|o| o.kind) {
        let code = kind as u32;
        let found = h.lines().any(|l| {
            l.trim().starts_with("ALPHAPO_OPERATION_") && l.trim().ends_with(&format!("= {code},"))
        });
        assert!(found, "operation {code} ({}) missing", kind.name());
    }
}
