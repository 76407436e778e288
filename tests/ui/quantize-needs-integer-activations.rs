// A hidden tanh layer has no integer form: the network does not quantize.
use nn::prelude::*;
network! { struct Net < 2 => 4 tanh => 1 sigmoid > }
fn main() {
    let samples = [SVector::<f32, 2>::zeros()];
    let _ = nn::quantize(&Net::new(0), &samples);
}
