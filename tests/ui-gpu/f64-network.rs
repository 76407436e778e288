// A network on the GPU computes in f32: an f64 network does not move there.
use nn::prelude::*;

network! { struct Net: f64 < 2 => 4 relu => 1 sigmoid > }

fn main() {
    let _ = nn::gpu::Gpu::new(&Net::new(0));
}
