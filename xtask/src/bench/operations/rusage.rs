//! `wait4(2)`, which reports the resources a child used; the standard
//! library's `Child::wait` does not.

use std::time::Duration;

/// What one process cost.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub wall: Duration,
    pub cpu: Duration,
    /// Peak resident set size, in KiB, as the process reported it: not
    /// `ru_maxrss`, which Linux carries over from the spawning process
    /// (exec keeps the larger of the old and the new address space's peak),
    /// so that every child of xtask would show at least xtask's own size.
    pub max_rss_kib: u64,
}

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
mod linux {
    use std::time::Duration;

    use super::Usage;

    #[repr(C)]
    struct Timeval {
        seconds: i64,
        microseconds: i64,
    }

    /// `struct rusage` as 64-bit Linux lays it out.
    #[repr(C)]
    struct Rusage {
        user: Timeval,
        system: Timeval,
        /// Not read: see [`Usage::max_rss_kib`].
        max_rss_kib: i64,
        /// The other counters, which the bench does not read.
        rest: [i64; 13],
    }

    unsafe extern "C" {
        fn wait4(pid: i32, status: *mut i32, options: i32, usage: *mut Rusage) -> i32;
    }

    fn duration(time: &Timeval) -> Duration {
        Duration::from_secs(time.seconds.max(0) as u64)
            + Duration::from_micros(time.microseconds.max(0) as u64)
    }

    /// Waits for the child `pid` and returns its raw wait status (0 when it
    /// exited with 0) and its usage; the wall time is left for the caller.
    pub fn wait(pid: u32) -> Result<(i32, Usage), String> {
        let pid = i32::try_from(pid).map_err(|_| format!("pid {pid} out of range"))?;
        let mut status = 0;
        let mut usage = Rusage {
            user: Timeval {
                seconds: 0,
                microseconds: 0,
            },
            system: Timeval {
                seconds: 0,
                microseconds: 0,
            },
            max_rss_kib: 0,
            rest: [0; 13],
        };
        // SAFETY: `status` and `usage` are writable and laid out as the
        // kernel expects; `pid` is a child of this process not yet waited for.
        let waited = unsafe { wait4(pid, &mut status, 0, &mut usage) };
        if waited != pid {
            return Err(format!("wait4 failed: {}", std::io::Error::last_os_error()));
        }
        Ok((
            status,
            Usage {
                wall: Duration::ZERO,
                cpu: duration(&usage.user) + duration(&usage.system),
                max_rss_kib: 0,
            },
        ))
    }
}

#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
pub use linux::wait;

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
pub fn wait(_: u32) -> Result<(i32, Usage), String> {
    Err("whole-operation benchmarks read rusage with wait4, on 64-bit Linux only".to_owned())
}
