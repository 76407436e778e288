// Loading into a binding that is not a network says so, and what to name instead.
use nn::prelude::*;
nn::network! { struct Net < 2 => 4 relu => 1 sigmoid > }
fn main() -> Result<(), nn::Error> {
    let net: SVector<f32, 2> = nn::load("net.safetensors")?;
    println!("{net}");
    Ok(())
}
