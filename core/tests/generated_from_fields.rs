//! The files generated from the core's field table (`svara::FIELDS`): the Python package's
//! typed keyword arguments (`bindings-python/python/svara/_types.py`), the Node package's option
//! interfaces (the generated block of `bindings-node/index.d.ts`) and the README's request
//! reference. This test fails when one of them is out of date;
//! `SVARA_BLESS=1 cargo test -p svara --test generated_from_fields` rewrites them.

use std::path::PathBuf;
use svara::request::fields::{Field, Kind, Operation, Scope, FIELDS};
use svara::Platform;

const BEGIN: &str = "BEGIN GENERATED FROM svara::FIELDS";
const END: &str = "END GENERATED FROM svara::FIELDS";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fields_of(scope: Scope) -> impl Iterator<Item = &'static Field> {
    FIELDS.iter().filter(move |f| f.scope == scope)
}

fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The name of a scope's group of fields, the same in Python and TypeScript.
fn scope_type(scope: Scope) -> String {
    format!("{}Fields", pascal(scope.as_str()))
}

/// The name of an operation's options type, the same in Python and TypeScript.
fn operation_type(op: Operation) -> &'static str {
    match op {
        Operation::Send => "SendOptions",
        Operation::ClientNew => "ClientOptions",
        Operation::ClientSend => "MessageOptions",
        Operation::Upload => "UploadOptions",
        Operation::SendMany => "SendManyOptions",
        Operation::Transcode => "TranscodeOptions",
    }
}

fn limit_text(f: &Field) -> String {
    let mut s = String::new();
    if let Some(l) = f.limit {
        s.push_str(&format!("; {}", l.describe()));
    }
    if !f.platforms.is_empty() {
        s.push_str(&format!("; {} only", f.platforms.join(", ")));
    }
    s
}

/// The name of a platform's session type: `TelegramSession`.
fn session_type(p: Platform) -> String {
    format!("{}Session", pascal(p.as_str()))
}

/// Every platform's session type, in documentation order.
fn session_union(sep: &str) -> String {
    Platform::ALL.map(session_type).join(sep)
}

/// A session key must be given when the platform needs it and no environment variable
/// stands in for it.
fn session_key_required(k: &svara::platform::SessionKey) -> bool {
    k.required && k.env.is_none()
}

fn session_key_doc(k: &svara::platform::SessionKey) -> String {
    match k.env {
        Some(var) => format!("{} ({var} when absent)", upper_first(k.description)),
        None => upper_first(k.description),
    }
}

fn session_heading(p: Platform) -> String {
    format!(
        "The session of platform=\"{}\": {}",
        p.as_str(),
        p.spec().session_forms.join(" or ")
    )
}

// ---------------------------------------------------------------- Python

/// Python's keyword arguments that are positional parameters instead (not in the TypedDict).
fn python_positional(op: Operation) -> &'static [&'static str] {
    match op {
        Operation::ClientNew => &["page_access_token"],
        Operation::ClientSend => &["recipient"],
        _ => &[],
    }
}

fn python_type(f: &Field) -> String {
    let t = match f.kind {
        Kind::Text | Kind::Url | Kind::Secret => "str".to_owned(),
        Kind::Choice(c) => format!(
            "Literal[{}]",
            c.iter()
                .map(|v| format!("{v:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Kind::Psid => "Union[str, int]".to_owned(),
        Kind::Session => format!("Union[{}]", session_union(", ")),
        Kind::Path => "PathLike".to_owned(),
        Kind::Bytes => "Bytes".to_owned(),
        Kind::Integer => "int".to_owned(),
        Kind::Seconds => "Seconds".to_owned(),
        Kind::Number => "float".to_owned(),
        Kind::Flag => "bool".to_owned(),
    };
    format!("Optional[{t}]")
}

fn python_field(out: &mut String, f: &Field) {
    out.push_str(&format!(
        "    #: {}{}.\n",
        upper_first(f.description),
        limit_text(f)
    ));
    out.push_str(&format!("    {}: {}\n", f.name, python_type(f)));
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn render_python() -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "\"\"\"The keyword arguments of every call, typed ({BEGIN}; do not edit).\n\n\
         One ``TypedDict`` per group of fields (``...Fields``) and one per call (``...Options``),\n\
         used as ``**options: Unpack[SendOptions]`` by ``svara._api``. Regenerate with\n\
         ``SVARA_BLESS=1 cargo test -p svara --test generated_from_fields``.\n\"\"\"\n\n"
    ));
    out.push_str(
        "from __future__ import annotations\n\nimport os\nfrom datetime import timedelta\n\
         from typing import IO, Literal, Mapping, Optional, TypedDict, Union\n\n\
         Bytes = Union[bytes, bytearray, memoryview, IO[bytes]]\n\
         PathLike = Union[str, \"os.PathLike[str]\"]\n\
         Seconds = Union[int, float, timedelta]\n",
    );
    let mut names = Vec::new();
    for p in Platform::ALL {
        let name = session_type(p);
        out.push_str(&format!(
            "\n\nclass {name}(TypedDict, total=False):\n    \"\"\"{}.\"\"\"\n\n",
            session_heading(p)
        ));
        for k in p.spec().session {
            out.push_str(&format!("    #: {}.\n", session_key_doc(k)));
            let t = if session_key_required(k) {
                "str".to_owned()
            } else {
                "Optional[str]".to_owned()
            };
            out.push_str(&format!("    {}: {t}\n", k.name));
        }
        names.push(name);
    }
    for scope in Scope::ALL {
        let name = scope_type(scope);
        out.push_str(&format!(
            "\n\nclass {name}(TypedDict, total=False):\n    \"\"\"The {} fields.\"\"\"\n\n",
            scope.as_str().replace('_', " ")
        ));
        for f in fields_of(scope) {
            python_field(&mut out, f);
        }
        names.push(name);
    }
    for op in Operation::ALL {
        let positional = python_positional(op);
        let mut bases = Vec::new();
        let mut inline = Vec::new();
        for scope in op.scopes() {
            if fields_of(*scope).any(|f| positional.contains(&f.name)) {
                inline.extend(fields_of(*scope).filter(|f| !positional.contains(&f.name)));
            } else {
                bases.push(scope_type(*scope));
            }
        }
        if bases.is_empty() {
            bases.push("TypedDict".to_owned());
        }
        let name = operation_type(op);
        out.push_str(&format!(
            "\n\nclass {name}({}, total=False):\n    \"\"\"The keyword arguments of ``{}``.\"\"\"\n",
            bases.join(", "),
            python_call(op)
        ));
        if !inline.is_empty() {
            out.push('\n');
        }
        for f in inline {
            python_field(&mut out, f);
        }
        names.push(name.to_owned());
    }
    out.push_str("\n\n__all__ = [\n");
    for n in names {
        out.push_str(&format!("    \"{n}\",\n"));
    }
    out.push_str("]\n");
    out
}

fn python_call(op: Operation) -> &'static str {
    match op {
        Operation::Send => "svara.send()`` and ``svara.send_async()",
        Operation::ClientNew => "svara.Client()`` and ``svara.AsyncClient()",
        Operation::ClientSend => "Client.send(recipient, ...)",
        Operation::Upload => "Client.upload()",
        Operation::SendMany => "Client.send_many(recipients, ...)",
        Operation::Transcode => "svara.transcode(data_or_path, ...)",
    }
}

// ---------------------------------------------------------------- TypeScript

fn ts_type(f: &Field) -> String {
    match f.kind {
        Kind::Text | Kind::Secret | Kind::Psid => "string".to_owned(),
        Kind::Choice(_) => pascal(f.name),
        Kind::Session => session_union(" | "),
        Kind::Url | Kind::Path => "string | URL".to_owned(),
        Kind::Bytes => "Buffer | Uint8Array | ArrayBuffer".to_owned(),
        Kind::Integer | Kind::Seconds | Kind::Number => "number".to_owned(),
        Kind::Flag => "boolean".to_owned(),
    }
}

fn render_typescript() -> String {
    let mut out = format!("// {BEGIN} (core/tests/generated_from_fields.rs; do not edit)\n");
    for f in FIELDS {
        if let Kind::Choice(c) = f.kind {
            out.push_str(&format!(
                "\n/** `{}`: {}. */\nexport type {} = {} | (string & {{}})\n",
                f.name,
                f.description,
                pascal(f.name),
                c.iter()
                    .map(|v| format!("'{v}'"))
                    .collect::<Vec<_>>()
                    .join(" | ")
            ));
        }
    }
    for p in Platform::ALL {
        out.push_str(&format!(
            "\n/** {}. */\nexport interface {} {{\n",
            session_heading(p),
            session_type(p)
        ));
        for k in p.spec().session {
            out.push_str(&format!(
                "  /** {}. */\n  {}{}: string\n",
                session_key_doc(k),
                k.name,
                if session_key_required(k) { "" } else { "?" }
            ));
        }
        out.push_str("}\n");
    }
    for scope in Scope::ALL {
        out.push_str(&format!(
            "\n/** The {} fields. */\nexport interface {} {{\n",
            scope.as_str().replace('_', " "),
            scope_type(scope)
        ));
        for f in fields_of(scope) {
            out.push_str(&format!(
                "  /** {}{}. */\n  {}{}: {}\n",
                upper_first(f.description),
                limit_text(f),
                f.name,
                if f.required { "" } else { "?" },
                ts_type(f)
            ));
        }
        out.push_str("}\n");
    }
    for op in Operation::ALL {
        let bases: Vec<String> = op.scopes().iter().map(|s| scope_type(*s)).collect();
        out.push_str(&format!(
            "\n/** The options of `{}`. */\nexport interface {} extends {} {{}}\n",
            ts_call(op),
            operation_type(op),
            bases.join(", ")
        ));
    }
    out.push_str(&format!("// {END}\n"));
    out
}

fn ts_call(op: Operation) -> &'static str {
    match op {
        Operation::Send => "send()",
        Operation::ClientNew => "new Client()",
        Operation::ClientSend => "client.send()",
        Operation::Upload => "client.upload()",
        Operation::SendMany => "client.sendMany()",
        Operation::Transcode => "transcode()",
    }
}

// ---------------------------------------------------------------- README

fn render_readme() -> String {
    let mut out = format!(
        "<!-- {BEGIN} (core/tests/generated_from_fields.rs; do not edit) -->\n\
         | Field | Takes | Range | Calls that take it | What |\n|---|---|---|---|---|\n"
    );
    for f in FIELDS {
        let takes = match f.kind {
            Kind::Choice(c) => c.join(" / "),
            k => k.as_str().to_owned(),
        };
        let calls: Vec<&str> = Operation::ALL
            .into_iter()
            .filter(|o| o.takes(f))
            .map(ts_call)
            .collect();
        let mut range = f.limit.map(|l| l.describe()).unwrap_or_default();
        if !f.platforms.is_empty() {
            range = format!("{range} {} only", f.platforms.join(", "))
                .trim()
                .to_owned();
        }
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            f.name,
            takes,
            range,
            calls.join(", "),
            upper_first(f.description).replace('|', "\\|"),
        ));
    }
    out.push_str(&format!("<!-- {END} -->\n"));
    out
}

// ---------------------------------------------------------------- checking

/// Replaces the marked block of `text` (from the line holding BEGIN to the line holding END).
fn splice(text: &str, block: &str) -> Option<String> {
    let start = text.find(BEGIN)?;
    let start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let end = start + text[start..].find(END)?;
    let end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    Some(format!("{}{block}{}", &text[..start], &text[end..]))
}

fn check(path: &str, whole_file: bool, generated: String) {
    let path = root().join(path);
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    let wanted = if whole_file {
        generated
    } else {
        splice(&current, &generated)
            .unwrap_or_else(|| panic!("{} has no {BEGIN} block", path.display()))
    };
    if current == wanted {
        return;
    }
    if std::env::var_os("SVARA_BLESS").is_some() {
        std::fs::write(&path, wanted).unwrap();
        eprintln!("rewrote {}", path.display());
    } else {
        panic!(
            "{} is out of date with svara::FIELDS; run SVARA_BLESS=1 cargo test -p svara --test generated_from_fields",
            path.display()
        );
    }
}

#[test]
fn python_types_are_current() {
    check(
        "bindings-python/python/svara/_types.py",
        true,
        render_python(),
    );
}

#[test]
fn typescript_types_are_current() {
    check("bindings-node/index.d.ts", false, render_typescript());
}

#[test]
fn readme_request_reference_is_current() {
    check("README.md", false, render_readme());
}
