// `forward` takes a vector of exactly the declared input length.
use nn::prelude::*;
network! { struct Xor < 2 => 4 relu => 1 sigmoid > }
fn main() {
    let net = Xor::new(0);
    let _ = net.forward(&SVector::from([1.0, 0.0, 1.0]));
}
