//! Large freed blocks go back to the OS: glibc's mmap threshold, pinned.
//!
//! Each password check (argon2id, [`crate::auth`]) borrows a 19 MiB block for a few
//! milliseconds. glibc serves the first such block with its own `mmap` and unmaps it when
//! freed, but then raises its mmap threshold to that size, so every later block comes from a
//! thread's heap arena, and stays resident there once freed: 19 MiB for each arena that ever
//! checked a password (the app's demo, which embeds a hub, kept 20 MiB after one sign-in;
//! `docs/benchmarks.md`). Pinning the threshold at glibc's default keeps large blocks on their
//! own mappings. Elsewhere (Windows, macOS, musl) there is nothing to pin.

/// glibc's default mmap threshold: blocks at least this large get their own mapping.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 128 * 1024;

/// The environment variable through which glibc takes the threshold at process start.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD_ENV: &str = "MALLOC_MMAP_THRESHOLD_";

/// Pins the mmap threshold at glibc's default in this process and, through the environment
/// they inherit, in the processes it starts (the app's WebKit web and network processes: 17 MiB
/// less in the web process). A threshold the user set in the environment wins. Only glibc has
/// this threshold; elsewhere it does nothing.
///
/// # Safety
///
/// No other thread may exist yet: glibc documents `mallopt` as unsafe to call while other
/// threads allocate, and the environment must not change while another thread reads it. Call
/// it first thing in `main`.
#[allow(unsafe_code)]
pub unsafe fn pin_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os(MMAP_THRESHOLD_ENV).is_none() {
        // SAFETY: `mallopt` only sets an allocator parameter and `set_var` only changes the
        // environment; the caller guarantees that no other thread exists to race either.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
            std::env::set_var(MMAP_THRESHOLD_ENV, MMAP_THRESHOLD.to_string());
        }
    }
}
