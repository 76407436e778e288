// Chaining two networks needs the first one's output length to be the second one's input length.
use nn::prelude::*;
network! { struct Encoder < 8 => 4 relu => 3 tanh > }
network! { struct Head < 2 => 1 sigmoid > }
fn main() {
    let (a, b) = (Encoder::new(0), Head::new(0));
    let x = nn::SVector::<f32, 8>::zeros();
    let _ = b.forward(&a.forward(&x));
}
