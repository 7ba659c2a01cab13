//! The timing that `cargo xtask bench` reads, shared by the bench binaries of
//! `cloud-images` and `cloud-images-codegen` through `#[path]`.
//!
//! Under `cargo bench` the binaries run divan, whose tables are for people.
//! When `cargo xtask bench` sets [`REPORT_ENV`], they time the same functions
//! here instead and print one stable line per result, so the command never
//! has to parse divan's layout:
//!
//! ```text
//! BENCH <name> <median wall ns per call> <calls per sample> <samples>
//! NOTE <name> <value>
//! ```
//!
//! with `NOTE cpu.<name> <median CPU ns per call>` where the platform can
//! tell a thread's CPU time.
//!
//! A binary that installs [`CountingAllocator`] also gets, for each bench,
//! `NOTE allocs.<name> <allocator calls in one call>`: most of the gaps
//! between these libraries are allocations, and the count says so where a
//! time alone cannot.

// Each bench binary uses only part of this file.
#![allow(dead_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Set (to any value) by `cargo xtask bench` to ask for report lines.
pub const REPORT_ENV: &str = "CLOUD_IMAGES_BENCH_REPORT";

/// Where a bench binary writes inputs that other tools time too, such as the
/// two documents handed to Python's `jsonpatch`.
pub const OUT_DIR_ENV: &str = "CLOUD_IMAGES_BENCH_OUT";

const SAMPLES: usize = 201;

/// Each sample runs enough calls to take at least this long, so that the
/// clock's resolution and overhead (tens of nanoseconds) stay far below the
/// time measured. Short samples keep the median honest on a shared machine:
/// a sample that another process preempts is an outlier, and the shorter
/// the samples, the fewer of them a preemption lands in.
const SAMPLE_TIME: Duration = Duration::from_micros(200);

const MAX_CALLS_PER_SAMPLE: usize = 1 << 20;

pub fn report_requested() -> bool {
    std::env::var_os(REPORT_ENV).is_some()
}

/// Times `f` and prints its `BENCH` line: the median over the samples of the
/// mean time per call within a sample.
pub fn bench<O>(name: &str, mut f: impl FnMut() -> O) {
    interleave(&mut [(name, &mut || drop(black_box(f())))]);
}

/// Times two ways of doing the same work, `ours` first; see [`interleave`].
pub fn compare<A, B>(
    ours: &str,
    mut a: impl FnMut() -> A,
    baseline: &str,
    mut b: impl FnMut() -> B,
) {
    interleave(&mut [
        (ours, &mut || drop(black_box(a()))),
        (baseline, &mut || drop(black_box(b()))),
    ]);
}

/// Times several functions with their samples interleaved, so that a burst
/// of load on a shared machine slows them alike and their ratios hold even
/// when absolute times drift. With two or more, also notes how often the
/// first one's sample beat the second's taken right after it.
pub fn interleave(benches: &mut [(&str, &mut dyn FnMut())]) {
    let calls: Vec<usize> = benches.iter_mut().map(|(_, f)| calibrate(f)).collect();
    let mut wall = vec![Vec::with_capacity(SAMPLES); benches.len()];
    let mut cpu = vec![Vec::with_capacity(SAMPLES); benches.len()];
    for _ in 0..SAMPLES {
        for (index, (_, f)) in benches.iter_mut().enumerate() {
            let (wall_ns, cpu_ns) = sample(f, calls[index]);
            wall[index].push(wall_ns);
            cpu[index].extend(cpu_ns);
        }
    }
    if let [first, second, ..] = wall.as_slice() {
        // Near one half means the two are level, whatever the medians say.
        let wins = first.iter().zip(second).filter(|(a, b)| a < b).count();
        note(
            &format!("faster.{}", benches[0].0),
            format!("{:.2}", wins as f64 / SAMPLES as f64),
        );
    }
    for (index, (name, f)) in benches.iter_mut().enumerate() {
        println!(
            "BENCH {name} {:.1} {} {SAMPLES}",
            median(&mut wall[index]),
            calls[index]
        );
        if cpu[index].len() == SAMPLES {
            note(
                &format!("cpu.{name}"),
                format!("{:.1}", median(&mut cpu[index])),
            );
        }
        if counting_installed() {
            note(&format!("allocs.{name}"), allocations(*f));
        }
    }
}

/// The number of calls that makes one sample last at least [`SAMPLE_TIME`].
fn calibrate(f: &mut dyn FnMut()) -> usize {
    let target = SAMPLE_TIME.as_nanos() as f64;
    let mut calls = 1;
    while calls < MAX_CALLS_PER_SAMPLE && sample(f, calls).0 * (calls as f64) < target {
        calls *= 2;
    }
    calls
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Prints a fact about the inputs for the report, such as a size.
pub fn note(name: &str, value: impl std::fmt::Display) {
    println!("NOTE {name} {value}");
}

/// Runs `f` `calls` times and returns the mean nanoseconds per call, as
/// wall time and, where the platform tells, as this thread's CPU time.
///
/// Wall time is what a caller waits, and what the report judges by. CPU time
/// leaves out the time slices of other processes, which a call of several
/// milliseconds (the generator) nearly always sits through once the load
/// average passes the number of cores, so it says what the work itself costs.
///
/// Each output is dropped inside the timed loop (by the wrappers in
/// [`bench`] and [`compare`]), so freeing it counts. Divan instead keeps a
/// sample's outputs until its clock stops; with thousands of outputs per
/// sample the heap then grows and is trimmed on every sample, and on this
/// project's VMs the page faults that follow made medians swing two- to
/// threefold between runs. Freeing as we go keeps the heap steady, as in a
/// program that decodes, uses and drops a document.
fn sample(f: &mut dyn FnMut(), calls: usize) -> (f64, Option<f64>) {
    let cpu_start = thread_cpu_ns();
    let start = Instant::now();
    for _ in 0..calls {
        f();
    }
    let wall = start.elapsed().as_nanos() as f64 / calls as f64;
    let cpu = cpu_start
        .zip(thread_cpu_ns())
        .map(|(start, end)| (end - start) as f64 / calls as f64);
    (wall, cpu)
}

/// The CPU time this thread has used, in nanoseconds.
#[cfg(all(target_os = "linux", target_pointer_width = "64"))]
fn thread_cpu_ns() -> Option<u64> {
    #[repr(C)]
    struct Timespec {
        seconds: i64,
        nanoseconds: i64,
    }
    unsafe extern "C" {
        fn clock_gettime(clock: i32, time: *mut Timespec) -> i32;
    }
    const CLOCK_THREAD_CPUTIME_ID: i32 = 3;
    let mut time = Timespec {
        seconds: 0,
        nanoseconds: 0,
    };
    // SAFETY: `time` is a writable `struct timespec` as 64-bit Linux lays it
    // out, and the clock id is Linux's.
    let status = unsafe { clock_gettime(CLOCK_THREAD_CPUTIME_ID, &mut time) };
    let seconds = u64::try_from(time.seconds).ok()?;
    let nanoseconds = u64::try_from(time.nanoseconds).ok()?;
    (status == 0).then_some(seconds * 1_000_000_000 + nanoseconds)
}

#[cfg(not(all(target_os = "linux", target_pointer_width = "64")))]
fn thread_cpu_ns() -> Option<u64> {
    None
}

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

/// The system allocator, counting allocator calls (`alloc`, `alloc_zeroed`
/// and `realloc`) while [`allocations`] runs. At other times, including
/// every timed sample, it adds one relaxed load per call.
pub struct CountingAllocator;

// SAFETY: every call is forwarded unchanged to `System`, which upholds the
// `GlobalAlloc` contract; the counters only observe.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's guarantees for `layout` are passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: `ptr` and `layout` come from this allocator, which is `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` and `layout` come from this allocator, which is `System`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

fn count() {
    if COUNTING.load(Ordering::Relaxed) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

/// Allocator calls made by one call of `f`, after a first call that may
/// initialise lazily built state (such as a compiled pattern).
pub fn allocations(f: &mut dyn FnMut()) -> usize {
    f();
    ALLOCATIONS.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    f();
    COUNTING.store(false, Ordering::Relaxed);
    ALLOCATIONS.load(Ordering::Relaxed)
}

/// Whether the binary counts allocations, seen by counting one.
fn counting_installed() -> bool {
    allocations(&mut || drop(black_box(Vec::<u8>::with_capacity(1)))) == 1
}
