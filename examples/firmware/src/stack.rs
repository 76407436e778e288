//! The stack's high-water mark, by painting: before the run, every word between the stack's
//! lowest address and the current stack pointer is set to a pattern; after it, the lowest word
//! that no longer holds the pattern is as deep as the stack went. Reading and writing memory
//! that no Rust value owns is what this module is for, so it alone uses `unsafe`.
#![allow(unsafe_code)]

/// The pattern painted: unlikely as a stack value.
const PAINT: u32 = 0xC0DE_CAFE;

extern "C" {
    /// The stack's lowest address (cortex-m-rt's linker script): the stack grows down to it.
    static _stack_end: u32;
    /// The stack's highest address, where it starts.
    static _stack_start: u32;
}

/// The words from the stack's lowest address up to 64 bytes below the current frame.
fn unused() -> (usize, usize) {
    let bottom = core::ptr::addr_of!(_stack_end) as usize;
    (bottom, cortex_m::register::msp::read() as usize - 64)
}

/// Paints the stack below the current frame.
pub fn paint() {
    let (bottom, top) = unused();
    for address in (bottom..top).step_by(4) {
        // SAFETY: between the stack's lowest address and below the live frames: memory that
        // nothing uses yet, word-aligned (cortex-m-rt aligns `_stack_end` to 4 bytes).
        unsafe { core::ptr::write_volatile(address as *mut u32, PAINT) };
    }
}

/// The most bytes of stack used since [`paint`].
pub fn used() -> usize {
    let (bottom, _) = unused();
    // SAFETY: the same words `paint` wrote, read as plain `u32`s.
    let painted = |a: &usize| unsafe { core::ptr::read_volatile(*a as *const u32) } == PAINT;
    let deepest = (bottom..)
        .step_by(4)
        .find(|a| !painted(a))
        .unwrap_or(bottom);
    let top = core::ptr::addr_of!(_stack_start) as usize;
    top - deepest
}
