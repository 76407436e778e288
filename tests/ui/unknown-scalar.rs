// The scalar type is f32 (the default) or f64.
nn::network! { struct Net: f16 < 2 => 1 sigmoid > }
fn main() {}
