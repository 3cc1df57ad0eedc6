//! Scalars of a decoded JSON document by dotted path, for `alphapo_response_get` and
//! `alphapo_callback_get`: resolved on demand and converted to C text on first use, so a
//! hostile reply with many leaves under long keys costs nothing until a path is asked for
//! (the cost is linear in the size of the reply, never in leaves × key length).

use super::strings::cstring;
use super::try_str;
use crate::reply::normalize::{resolve, scalar_text};
use serde_json::Value;
use std::collections::HashMap;
use std::ffi::{c_char, CString};
use std::sync::Mutex;

/// Longest path (in segments) looked up; a longer one is not found.
const MAX_SEGMENTS: usize = 64;

/// The C texts handed out so far, by path. Each `CString` keeps its heap buffer for the life
/// of the index (entries are never removed or replaced), so a returned pointer stays valid
/// as long as the object that owns the index. Thread-safe.
#[derive(Debug, Default)]
pub(crate) struct PathIndex {
    given: Mutex<HashMap<String, CString>>,
}

impl PathIndex {
    /// The scalar at `path` in `root` as text, borrowed from the index; NULL when `path` is
    /// NULL, not UTF-8, absent, null or not a scalar.
    pub(crate) fn lookup(&self, root: &Value, path: *const c_char) -> *const c_char {
        self.lookup_with(path, |_, segments| resolve(root, segments))
    }

    /// [`PathIndex::lookup`], the value found by `find` from the path and its segments
    /// (split at every dot).
    pub(crate) fn lookup_with<'v>(
        &self,
        path: *const c_char,
        find: impl FnOnce(&str, &[&str]) -> Option<&'v Value>,
    ) -> *const c_char {
        // SAFETY: NULL or a NUL-terminated string.
        let Ok(path) = (unsafe { try_str(path, "path") }) else {
            return std::ptr::null();
        };
        let mut given = self.given.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(text) = given.get(path) {
            return text.as_ptr();
        }
        let segments: Vec<&str> = path.split('.').collect();
        if segments.len() > MAX_SEGMENTS {
            return std::ptr::null();
        }
        let Some(text) = find(path, &segments).and_then(scalar_text) else {
            return std::ptr::null();
        };
        given
            .entry(path.to_string())
            .or_insert_with(|| cstring(&text))
            .as_ptr()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    fn get(index: &PathIndex, root: &Value, path: &str) -> Option<String> {
        let c = CString::new(path).unwrap();
        let p = index.lookup(root, c.as_ptr());
        // SAFETY: NULL or a pointer into the index, alive as long as it.
        (!p.is_null()).then(|| unsafe { CStr::from_ptr(p) }.to_str().unwrap().to_string())
    }

    #[test]
    fn paths_nested_dotted_and_indexed() {
        let root: Value = serde_json::from_str(
            r#"{"a":{"b":"nested"},"a.b":"dotted","x.y":{"z":1},"l":[{"t":true}],"n":null}"#,
        )
        .unwrap();
        let index = PathIndex::default();
        assert_eq!(get(&index, &root, "a.b").as_deref(), Some("nested"));
        assert_eq!(get(&index, &root, "x.y.z").as_deref(), Some("1"));
        assert_eq!(get(&index, &root, "l.0.t").as_deref(), Some("true"));
        assert_eq!(get(&index, &root, "l.1.t"), None);
        assert_eq!(get(&index, &root, "n"), None);
        assert_eq!(get(&index, &root, "a"), None, "an object is not a scalar");
        let dotted: Value = serde_json::from_str(r#"{"a":{"c":1},"a.b":"dotted"}"#).unwrap();
        let fresh = PathIndex::default(); // an index serves one document
        assert_eq!(get(&fresh, &dotted, "a.b").as_deref(), Some("dotted"));
        // The same path twice: the same pointer.
        let c = CString::new("x.y.z").unwrap();
        assert_eq!(
            index.lookup(&root, c.as_ptr()),
            index.lookup(&root, c.as_ptr())
        );
        assert!(index.lookup(&root, std::ptr::null()).is_null());
    }
}
