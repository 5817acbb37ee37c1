//! The TypeScript declarations of the state the desktop app's UI renders ([`AppState`] and its
//! parts, [`StateUpdate`], [`ConnectionStatus`], the alert settings), from their `ts_rs::TS`
//! implementations. Protocol payload types they contain are imported from the protocol's own
//! generated file rather than declared twice.

use std::any::TypeId;
use std::collections::{BTreeMap, BTreeSet, HashSet};

use ts_rs::{Config, TS, TypeVisitor};

use crate::alerts::{Alert, AlertSettings};
use crate::engine::StateUpdate;
use crate::state::{AppState, Section};
use crate::status::ConnectionStatus;

/// Declarations of the client's UI-facing types and the protocol type names they use.
#[derive(Debug, Default)]
pub struct Declarations {
    /// `export type ...` lines, one per client type, sorted by name.
    pub declarations: Vec<String>,
    /// Protocol type names referenced (to import from `protocol.ts`), sorted.
    pub protocol_imports: Vec<String>,
}

/// Walks the dependency graph of the client's UI-facing types.
pub fn declarations() -> Declarations {
    let mut collector = Collector {
        config: Config::new(),
        seen: HashSet::new(),
        declared: BTreeMap::new(),
        imports: BTreeSet::new(),
    };
    collector.root::<StateUpdate>();
    collector.root::<AppState>();
    collector.root::<Section>();
    collector.root::<ConnectionStatus>();
    collector.root::<AlertSettings>();
    collector.root::<Alert>();
    Declarations {
        declarations: collector.declared.into_values().collect(),
        protocol_imports: collector.imports.into_iter().collect(),
    }
}

struct Collector {
    config: Config,
    seen: HashSet<TypeId>,
    declared: BTreeMap<String, String>,
    imports: BTreeSet<String>,
}

impl Collector {
    fn root<T: TS + 'static>(&mut self) {
        self.visit::<T>();
        T::visit_generics(self);
    }
}

impl TypeVisitor for Collector {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Primitives and wrappers have no declaration of their own.
        if T::output_path().is_none() || !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        let name = T::ident(&self.config);
        if std::any::type_name::<T>().starts_with("sideline_protocol::") {
            // Declared in protocol.ts already; its own dependencies come along with it.
            self.imports.insert(name);
            return;
        }
        let mut declaration = T::docs().unwrap_or_default();
        declaration.push_str("export ");
        declaration.push_str(&T::decl(&self.config));
        self.declared
            .insert(name, sideline_protocol::generate::tidy(&declaration));
        T::visit_dependencies(self);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn state_types_are_declared_and_protocol_types_imported() {
        let out = declarations();
        if std::env::var_os("SIDELINE_PRINT_TS").is_some() {
            println!(
                "{}\n{:?}",
                out.declarations.join("\n"),
                out.protocol_imports
            );
        }
        let all = out.declarations.join("\n");
        for name in [
            "AppState",
            "StateUpdate",
            "LeaderboardState",
            "NoteView",
            "SyncState",
        ] {
            assert!(
                all.contains(&format!("export type {name} ")),
                "{name} missing:\n{all}"
            );
        }
        assert!(
            out.protocol_imports
                .contains(&"LeaderboardEntry".to_owned())
        );
        assert!(!all.contains("bigint"), "a u64 leaked as bigint:\n{all}");
        assert!(!all.contains("export type LeaderboardEntry"));
    }
}
