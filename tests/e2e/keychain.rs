//! Reading what the app put in the Secret Service, with libsecret's own `secret-tool`, and
//! finding tokens.

use crate::harness::TestEnv;

/// One Secret Service item.
#[derive(Debug, Clone, Default)]
pub struct SecretItem {
    pub label: String,
    pub secret: String,
    /// `attribute.<name> = <value>` lines, as (name, value).
    pub attributes: Vec<(String, String)>,
}

/// Every item whose attribute `service` is `service`, unlocked and read through the test's
/// session bus.
pub fn items_for_service(env: &TestEnv, service: &str) -> Vec<SecretItem> {
    let output = std::process::Command::new("secret-tool")
        .args(["search", "--all", "--unlock", "service", service])
        .envs(env.env())
        .output()
        .expect("run secret-tool (package libsecret-tools)");
    // secret-tool prints the attributes on stderr and the rest on stdout in some versions:
    // read both, in order of appearance within each.
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut items: Vec<SecretItem> = Vec::new();
    for line in text.lines() {
        if line.starts_with('[') && line.ends_with(']') {
            items.push(SecretItem::default());
            continue;
        }
        let Some((key, value)) = line.split_once(" = ") else {
            continue;
        };
        if items.is_empty() {
            items.push(SecretItem::default());
        }
        let item = items.last_mut().expect("an item");
        match key {
            "label" => item.label = value.to_owned(),
            "secret" => item.secret = value.to_owned(),
            _ => {
                if let Some(name) = key.strip_prefix("attribute.") {
                    item.attributes.push((name.to_owned(), value.to_owned()));
                }
            }
        }
    }
    items.retain(|i| !i.secret.is_empty());
    items
}

/// The first JWT (`eyJ….….…`) inside `text`, if any: the keychain entry may hold the token
/// alone or inside a small JSON document.
pub fn find_jwt(text: &str) -> Option<String> {
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let start = text.find("eyJ")?;
    let candidate: String = text[start..]
        .chars()
        .take_while(|c| is_b64(*c) || *c == '.')
        .collect();
    let parts: Vec<&str> = candidate.split('.').collect();
    (parts.len() == 3 && parts.iter().all(|p| !p.is_empty())).then_some(candidate)
}
