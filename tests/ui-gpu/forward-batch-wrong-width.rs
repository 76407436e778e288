// A batch of 4 rows for a network of 2 inputs, on the GPU as on the CPU.
use nn::prelude::*;

network! { struct Net < 2 => 4 relu => 1 sigmoid > }

fn main() -> Result<(), nn::Error> {
    let mut gpu = nn::gpu::Gpu::new(&Net::new(0))?;
    let batch = SMatrix::<f32, 4, 16>::zeros();
    let _ = gpu.forward_batch(&batch)?;
    Ok(())
}
