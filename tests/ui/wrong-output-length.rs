// The output has exactly the declared output length.
use nn::prelude::*;
network! { struct Xor < 2 => 4 relu => 1 sigmoid > }
fn main() {
    let net = Xor::new(0);
    let _y: SVector<f32, 2> = net.forward(&SVector::from([1.0, 0.0]));
}
