// The struct needs a name.
nn::network! { pub struct < 2 => 1 sigmoid > }
fn main() {}
