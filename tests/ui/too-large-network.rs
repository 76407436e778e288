// A network whose parameters could never be allocated is refused at the size that breaks it.
nn::network! { struct Net < 2 => 18446744073709551615 relu => 1 sigmoid > }
fn main() {}
