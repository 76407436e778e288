//! Marks one inference for `.ci/firmware`, which counts the instructions QEMU executes (one
//! per translation block, each logged) from the first instruction of [`nn_begin`] to the first
//! of [`nn_end`], once around nothing and once around the inference: the difference is the
//! inference's instructions. In a run without that log the markers cost a few instructions.
use core::hint::black_box;

/// Where a measured stretch starts: `.ci/firmware` finds its address with `nm`.
#[no_mangle]
#[inline(never)]
pub extern "C" fn nn_begin() {
    black_box(1);
}

/// Where a measured stretch ends.
#[no_mangle]
#[inline(never)]
pub extern "C" fn nn_end() {
    black_box(2);
}

/// Marks an empty stretch, then one of `run`, its result kept.
pub fn count<T>(run: impl FnOnce() -> T) {
    nn_begin();
    nn_end();
    nn_begin();
    black_box(run());
    nn_end();
}
