//! The TypeScript declarations of the state the desktop app's UI renders ([`AppState`] and its
//! parts, [`StateUpdate`], [`ConnectionStatus`], the alert settings, the capture inputs), from their `ts_rs::TS`
//! implementations. Protocol payload types they contain are imported from the protocol's own
//! generated file rather than declared twice.

use std::any::TypeId;
use std::collections::{BTreeMap, BTreeSet, HashSet};

use ts_rs::{Config, TS, TypeVisitor};

use crate::alerts::{Alert, AlertSettings};
use crate::engine::StateUpdate;
use crate::outbox::{ActionItemInput, NoteInput};
use crate::state::{AppState, Section};
use crate::status::ConnectionStatus;

/// Declarations and the protocol type names they use.
#[derive(Debug, Default)]
pub struct Declarations {
    /// `export type ...` declarations (with their doc comments), sorted by name.
    pub declarations: Vec<String>,
    /// Protocol type names referenced (to import from `protocol.ts`), sorted.
    pub protocol_imports: Vec<String>,
}

/// The client's UI-facing types.
pub fn declarations() -> Declarations {
    TypeCollector::with_client_types().finish()
}

/// Walks ts-rs dependency graphs: declares every type reached once, and collects the protocol
/// types among them as imports instead. The desktop shell adds its own command types to the
/// client's with [`TypeCollector::root`].
#[derive(Debug)]
pub struct TypeCollector {
    seen: HashSet<TypeId>,
    declared: BTreeMap<String, String>,
    imports: BTreeSet<String>,
}

impl TypeCollector {
    /// An empty collector.
    pub fn new() -> Self {
        TypeCollector {
            seen: HashSet::new(),
            declared: BTreeMap::new(),
            imports: BTreeSet::new(),
        }
    }

    /// A collector holding the client's UI-facing types.
    pub fn with_client_types() -> Self {
        let mut collector = TypeCollector::new();
        collector.root::<StateUpdate>();
        collector.root::<AppState>();
        collector.root::<Section>();
        collector.root::<ConnectionStatus>();
        collector.root::<AlertSettings>();
        collector.root::<Alert>();
        collector.root::<NoteInput>();
        collector.root::<ActionItemInput>();
        collector
    }

    /// Adds `T` and everything it uses.
    pub fn root<T: TS + 'static>(&mut self) {
        self.visit::<T>();
        T::visit_generics(self);
    }

    /// The declarations, sorted by name, and the imports.
    pub fn finish(self) -> Declarations {
        Declarations {
            declarations: self.declared.into_values().collect(),
            protocol_imports: self.imports.into_iter().collect(),
        }
    }
}

impl Default for TypeCollector {
    fn default() -> Self {
        Self::new()
    }
}

impl TypeVisitor for TypeCollector {
    fn visit<T: TS + 'static + ?Sized>(&mut self) {
        // Primitives and wrappers have no declaration of their own.
        if T::output_path().is_none() || !self.seen.insert(TypeId::of::<T>()) {
            return;
        }
        let config = Config::new();
        let name = T::ident(&config);
        if std::any::type_name::<T>().starts_with("sideline_protocol::") {
            // Declared in protocol.ts already; its own dependencies come along with it.
            self.imports.insert(name);
            return;
        }
        let mut declaration = T::docs().unwrap_or_default();
        declaration.push_str("export ");
        declaration.push_str(&T::decl(&config));
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
