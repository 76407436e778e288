//! The same networks on a GPU, through wgpu (feature `gpu`): Vulkan, Metal or DirectX 12, and
//! on a machine without a GPU, Mesa's software Vulkan.
//!
//! [`Gpu::new`] uploads a network's parameters once; they stay on the device while
//! [`Gpu::forward_batch`], [`Gpu::predict`] and a [`Trainer`] (`step`, `fit`, `evaluate`)
//! run on it, and [`Gpu::to_cpu`] brings the network back to save, embed or quantize. For
//! every layer the module writes WGSL with the layer's sizes, offsets and activation as
//! constants, the GPU side of the code `network!` specializes: one tiled product per product
//! of [`Dense`](crate::Dense) (`W·X` with the bias and activation fused, `Wᵀ·Δ`, `Δ·Xᵀ`), and
//! small kernels for softmax, the activations' derivatives, each loss's `δ`, the bias
//! gradient and the optimizers. `docs/how-it-works.md` maps each kernel to the CPU function
//! it replaces.
//!
//! ```no_run
//! use nn::prelude::*;
//! use nn::{Adam, CrossEntropy, Fit};
//!
//! network! { struct Iris < 4 => 16 relu => 3 softmax > }
//!
//! fn main() -> Result<(), nn::Error> {
//!     let x = vec![SVector::from([5.1, 3.5, 1.4, 0.2]); 64];
//!     let y = vec![SVector::from([1.0, 0.0, 0.0]); 64];
//!     let test_x = x.clone();
//!     let net = Iris::new(0);
//!     let fit = Fit { epochs: 5, ..Fit::default() };
//!     // The README's lines:
//!     let mut gpu = nn::gpu::Gpu::new(&net)?; // if there is no GPU, an Err says what to install
//!     let outputs = gpu.predict(&test_x)?; // any number of samples
//!     let mut trainer = nn::gpu::Trainer::new(Adam::new(0.01), CrossEntropy);
//!     trainer.fit(&mut gpu, (&x, &y), None, &fit)?; // the CPU's shuffles, validation, stopping
//!     let net: Iris = gpu.to_cpu()?; // back on the CPU, to save, embed or quantize
//!     println!("{}", net.forward(&test_x[0]) - outputs[0]);
//!     Ok(())
//! }
//! ```
#![cfg(feature = "gpu")]
mod train;
mod wgsl;

pub use train::{Delta, Trainer, Update};

use crate::{Batch, Buffer, Error, Model, Network, Values};
use core::marker::PhantomData;
use nalgebra::SVector;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};
use wgpu::BufferUsages as Usage;
use wgsl::{Place, GROUP, TILE};

/// What to install when no GPU is found.
const INSTALL: &str = "install a Vulkan, Metal or DirectX 12 driver (Linux without a GPU: \
                       Mesa's software Vulkan, Debian's mesa-vulkan-drivers)";
/// The most columns a batch's buffers hold: a larger batch runs in pieces.
const COLUMNS: usize = 4096;

/// An `Error::Io` about the GPU.
fn failed(what: impl core::fmt::Display) -> Error {
    Error::Io("the GPU".into(), what.to_string())
}

/// A network on the GPU: its parameters, the buffers of a batch, and the kernels of its
/// layers, compiled for it. See the [module](self). What runs a batch takes `&mut self`: the
/// batch's buffers on the device are the network's own, so two batches at once would mix.
///
/// `N` must be `f32`:
///
/// ```compile_fail
/// use nn::prelude::*;
/// network! { struct Net: f64 < 2 => 1 sigmoid > }
/// let gpu = nn::gpu::Gpu::new(&Net::new(0)); // a network on the GPU computes in `f32`
/// ```
#[derive(Debug)]
pub struct Gpu<N> {
    pub(crate) device: Device,
    pub(crate) places: Vec<Place>,
    /// The columns the batch buffers hold: a larger batch runs in pieces.
    pub(crate) capacity: usize,
    pub(crate) params: wgpu::Buffer,
    pub(crate) grads: wgpu::Buffer,
    pub(crate) dims: wgpu::Buffer,
    x: wgpu::Buffer,
    pub(crate) y: wgpu::Buffer,
    /// Each layer's `z`, `a` and `d` (`∂L/∂a`, then `δ`), `outputs × capacity`.
    z: Vec<wgpu::Buffer>,
    pub(crate) a: Vec<wgpu::Buffer>,
    pub(crate) d: Vec<wgpu::Buffer>,
    pub(crate) forward: Vec<Kernel>,
    /// Each layer's `δ` from `∂L/∂a`, then its gradient products, last layer first.
    backward: Vec<Vec<Kernel>>,
    net: PhantomData<fn() -> N>,
}

impl<N: Model<Scalar = f32>> Gpu<N> {
    /// Uploads `net` to the first GPU wgpu finds (a high-performance one if there are many),
    /// and compiles its kernels.
    ///
    /// # Errors
    /// [`Error::Io`] (`"the GPU"`) if there is no adapter (saying what to install) or the
    /// device refuses the network (a layer too wide for its buffers).
    pub fn new(net: &N) -> Result<Self, Error> {
        let device = Device::new()?;
        let places = Place::all(N::LAYERS);
        let widest = N::LAYERS.iter().map(|l| l.inputs.max(l.outputs)).max();
        let capacity = (device.limit / widest.unwrap_or(1)).min(COLUMNS);
        if capacity == 0 || 3 * N::PARAMS > device.limit {
            return Err(failed(
                "the network's buffers are larger than the device allows",
            ));
        }
        // The parameters, then two numbers a parameter for an optimizer's state.
        let params = device.storage(3 * N::PARAMS);
        let columns = |rows: usize| device.storage(rows * capacity);
        let z: Vec<_> = places.iter().map(|p| columns(p.layer.outputs)).collect();
        let a: Vec<_> = places.iter().map(|p| columns(p.layer.outputs)).collect();
        let d: Vec<_> = places.iter().map(|p| columns(p.layer.outputs)).collect();
        let x = columns(N::LAYERS[0].inputs);
        let mut gpu = Self {
            capacity,
            grads: device.storage(N::PARAMS),
            dims: device.uniform(16),
            y: columns(places[places.len() - 1].layer.outputs),
            forward: Vec::new(),
            backward: Vec::new(),
            device,
            places,
            params,
            x,
            z,
            a,
            d,
            net: PhantomData,
        };
        gpu.compile();
        gpu.upload(net);
        gpu.device.check()?;
        Ok(gpu)
    }

    /// The kernels of every layer, bound to this network's buffers.
    fn compile(&mut self) {
        let device = &self.device;
        let (p, g, dims) = (&self.params, &self.grads, &self.dims);
        for (l, place) in self.places.iter().enumerate() {
            let input = if l == 0 { &self.x } else { &self.a[l - 1] };
            let (z, a, d) = (&self.z[l], &self.a[l], &self.d[l]);
            let (outputs, inputs) = (place.layer.outputs, place.layer.inputs);
            let columns = Grid::Each(1, true);
            let product = wgsl::forward(place);
            let tiles = Grid::Tiles(outputs, None);
            self.forward
                .push(device.kernel(&product, &[dims, p, input, z, a], tiles));
            if place.softmax() {
                let softmax = wgsl::softmax(place);
                self.forward
                    .push(device.kernel(&softmax, &[dims, a], columns));
            }
            let each = if place.softmax() {
                columns
            } else {
                Grid::Each(outputs, true)
            };
            let delta = wgsl::activation_backward(place);
            let weights = wgsl::weight_gradient(place);
            let bias = wgsl::bias_gradient(place);
            let tiles = Grid::Tiles(outputs, Some(inputs));
            let mut backward = vec![
                device.kernel(&delta, &[dims, z, a, d], each),
                device.kernel(&weights, &[dims, d, input, g], tiles),
                device.kernel(&bias, &[dims, d, g], Grid::Each(outputs, false)),
            ];
            if l > 0 {
                let below = &self.d[l - 1];
                let product = wgsl::input_gradient(place);
                let tiles = Grid::Tiles(inputs, None);
                backward.push(device.kernel(&product, &[dims, p, d, below], tiles));
            }
            self.backward.insert(0, backward);
        }
    }

    /// Replaces the parameters on the device by `net`'s.
    pub fn upload(&mut self, net: &N) {
        let values: Vec<f32> = net.params().flatten().copied().collect();
        self.device.write(&self.params, 0, &values);
    }

    /// The network, back on the CPU, with the parameters the device holds.
    ///
    /// # Errors
    /// [`Error::Io`] if the device was lost or could not be read.
    pub fn to_cpu(&self) -> Result<N, Error> {
        let encoder = self.device.encoder();
        let values = self.device.read(encoder, &[(&self.params, N::PARAMS)])?;
        let mut net = N::default();
        net.params_mut()
            .flatten()
            .zip(values)
            .for_each(|(p, v)| *p = v);
        Ok(net)
    }

    /// The name of the adapter the network runs on, such as `"llvmpipe (LLVM 15.0.6, 256
    /// bits)"` for Mesa's software Vulkan.
    pub fn adapter(&self) -> &str {
        &self.device.adapter
    }

    /// Computes the output for a batch with one sample per column, as
    /// [`Network::forward_batch`], in pieces of at most 4096 samples.
    ///
    /// # Errors
    /// [`Error::Io`] if the device was lost.
    pub fn forward_batch<const I: usize, const O: usize, const B: usize>(
        &mut self,
        x: &impl Values<f32, I, B>,
    ) -> Result<Batch<N, O, B>, Error>
    where
        N: Network<I, O>,
    {
        let (_, a) = self.pieces((x.values(), &[]), B, &[&self.forward], &[])?;
        let mut out = Batch::<N, O, B>::zeros();
        out.values_mut().copy_from_slice(&a);
        Ok(out)
    }

    /// Computes the output of every sample: [`Network::forward`] for many at once.
    ///
    /// # Errors
    /// [`Error::Io`] if the device was lost.
    pub fn predict<const I: usize, const O: usize>(
        &mut self,
        xs: &[SVector<f32, I>],
    ) -> Result<Vec<SVector<f32, O>>, Error>
    where
        N: Network<I, O>,
    {
        let values: Vec<f32> = xs.iter().flatten().copied().collect();
        let (_, a) = self.pieces((&values, &[]), xs.len(), &[&self.forward], &[])?;
        Ok(a.chunks_exact(O).map(SVector::from_column_slice).collect())
    }

    /// The output layer's `z` and `a` for the `n` samples whose inputs are `x` (and targets
    /// `y`, or none), column by column: `kernels` run on a piece of the batch at a time, and
    /// `last` after the last piece.
    pub(crate) fn pieces(
        &self,
        (x, y): (&[f32], &[f32]),
        n: usize,
        kernels: &[&[Kernel]],
        last: &[Kernel],
    ) -> Result<(Vec<f32>, Vec<f32>), Error> {
        let inputs = N::LAYERS[0].inputs;
        let output = self.places.len() - 1;
        let rows = self.places[output].layer.outputs;
        let mut z = Vec::with_capacity(rows * n);
        let mut a = Vec::with_capacity(rows * n);
        for start in (0..n).step_by(self.capacity) {
            let columns = self.capacity.min(n - start);
            let end = start + columns;
            // The batch's columns, as the bits of `u32` `n`.
            let dims = [columns as u32, 0, 0, 0].map(f32::from_bits);
            self.device.write(&self.dims, 0, &dims);
            self.device
                .write(&self.x, 0, &x[start * inputs..end * inputs]);
            if !y.is_empty() {
                self.device.write(&self.y, 0, &y[start * rows..end * rows]);
            }
            let mut encoder = self.device.encoder();
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor::default());
            let after = if end == n { last } else { &[] };
            for kernel in kernels.iter().copied().flatten().chain(after) {
                let (x, y) = kernel.grid.groups(columns);
                pass.set_pipeline(&kernel.pipeline);
                pass.set_bind_group(0, &kernel.group, &[]);
                pass.dispatch_workgroups(x, y, 1);
            }
            drop(pass);
            let values = rows * columns;
            let both = [(&self.z[output], values), (&self.a[output], values)];
            let read = self.device.read(encoder, &both)?;
            z.extend_from_slice(&read[..values]);
            a.extend_from_slice(&read[values..]);
        }
        Ok((z, a))
    }

    /// The backward kernels, last layer first: with `through`, the output layer's
    /// activation's derivative first (for a loss whose `δ` goes through it).
    pub(crate) fn backward(&self, through: bool) -> Vec<&[Kernel]> {
        let skip = usize::from(!through);
        let mut kernels = vec![&self.backward[0][skip..]];
        kernels.extend(self.backward[1..].iter().map(|layer| &layer[..]));
        kernels
    }
}

/// How many workgroups a kernel runs for a batch of `n` columns.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Grid {
    /// 16×16 tiles over an `m × columns` output; `None` columns are the batch's.
    Tiles(usize, Option<usize>),
    /// 256 invocations at a time over `count` values, times the batch's columns if `true`.
    Each(usize, bool),
}

impl Grid {
    /// The workgroups along x and y.
    fn groups(self, n: usize) -> (u32, u32) {
        let tiles = |k: usize| k.div_ceil(TILE) as u32;
        match self {
            Self::Tiles(m, columns) => (tiles(m), tiles(columns.unwrap_or(n))),
            Self::Each(count, per_column) => {
                let total = if per_column { count * n } else { count };
                // At most 65 535 workgroups a dimension: the kernel strides over the rest.
                (total.div_ceil(GROUP).clamp(1, 65_535) as u32, 1)
            }
        }
    }
}

/// A compiled kernel bound to its buffers.
#[derive(Debug)]
pub(crate) struct Kernel {
    pipeline: wgpu::ComputePipeline,
    group: wgpu::BindGroup,
    grid: Grid,
}

/// The device and its queue, and the first thing that went wrong on it since it was last
/// checked (wgpu reports errors to a handler, not to the call that caused them).
#[derive(Debug)]
pub(crate) struct Device {
    device: wgpu::Device,
    queue: wgpu::Queue,
    adapter: String,
    failure: Arc<Mutex<Option<String>>>,
    /// The most floats a buffer binding may hold.
    limit: usize,
}

impl Device {
    /// The first adapter wgpu finds, and a device with its limits.
    fn new() -> Result<Self, Error> {
        let descriptor = wgpu::InstanceDescriptor::new_without_display_handle();
        let instance = wgpu::Instance::new(descriptor);
        let options = wgpu::RequestAdapterOptions {
            power_preference: wgpu::PowerPreference::HighPerformance,
            ..Default::default()
        };
        let adapter = block_on(instance.request_adapter(&options));
        let adapter = adapter.map_err(|e| failed(format!("no adapter ({e}): {INSTALL}")))?;
        let limits = adapter.limits();
        let descriptor = wgpu::DeviceDescriptor {
            required_limits: limits.clone(),
            ..Default::default()
        };
        let (device, queue) = block_on(adapter.request_device(&descriptor)).map_err(failed)?;
        let failure = Arc::new(Mutex::new(None));
        let sink = failure.clone();
        device.on_uncaptured_error(Arc::new(move |e| note(&sink, e.to_string())));
        let sink = failure.clone();
        device.set_device_lost_callback(move |_, message| {
            note(&sink, format!("device lost: {message}"))
        });
        let bytes = limits
            .max_storage_buffer_binding_size
            .min(limits.max_buffer_size);
        Ok(Self {
            adapter: adapter.get_info().name,
            limit: usize::try_from(bytes / 4).unwrap_or(usize::MAX),
            device,
            queue,
            failure,
        })
    }

    /// `Err` with the first failure since the last check.
    pub(crate) fn check(&self) -> Result<(), Error> {
        let failure = self.failure.lock().ok().and_then(|mut f| f.take());
        failure.map_or(Ok(()), |e| Err(failed(e)))
    }

    /// A storage buffer of `floats` numbers.
    pub(crate) fn storage(&self, floats: usize) -> wgpu::Buffer {
        self.buffer(
            floats * 4,
            Usage::STORAGE | Usage::COPY_SRC | Usage::COPY_DST,
        )
    }

    /// A uniform buffer of `bytes`.
    pub(crate) fn uniform(&self, bytes: usize) -> wgpu::Buffer {
        self.buffer(bytes, Usage::UNIFORM | Usage::COPY_DST)
    }

    fn buffer(&self, bytes: usize, usage: wgpu::BufferUsages) -> wgpu::Buffer {
        self.device.create_buffer(&wgpu::BufferDescriptor {
            label: None,
            size: bytes.max(4) as u64,
            usage,
            mapped_at_creation: false,
        })
    }

    /// Writes `values` at float `at` of `buffer`, before the next submission runs.
    pub(crate) fn write(&self, buffer: &wgpu::Buffer, at: usize, values: &[f32]) {
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_ne_bytes()).collect();
        self.queue.write_buffer(buffer, at as u64 * 4, &bytes);
    }

    pub(crate) fn encoder(&self) -> wgpu::CommandEncoder {
        let descriptor = wgpu::CommandEncoderDescriptor::default();
        self.device.create_command_encoder(&descriptor)
    }

    /// Submits `encoder`, waits for it, and returns `parts` (each buffer's first floats), one
    /// after the other.
    pub(crate) fn read(
        &self,
        mut encoder: wgpu::CommandEncoder,
        parts: &[(&wgpu::Buffer, usize)],
    ) -> Result<Vec<f32>, Error> {
        let total: usize = parts.iter().map(|(_, len)| len).sum();
        let staging = self.buffer(total * 4, Usage::MAP_READ | Usage::COPY_DST);
        let mut offset = 0;
        for &(buffer, len) in parts {
            let bytes = len as u64 * 4;
            encoder.copy_buffer_to_buffer(buffer, 0, &staging, offset, bytes);
            offset += bytes;
        }
        self.submit(encoder);
        staging.map_async(wgpu::MapMode::Read, .., |_| ());
        let waited = self.device.poll(wgpu::PollType::wait_indefinitely());
        waited.map_err(failed)?;
        self.check()?;
        let bytes = staging.get_mapped_range(..).map_err(failed)?;
        let float = |b: &[u8]| f32::from_ne_bytes([b[0], b[1], b[2], b[3]]);
        Ok(bytes.chunks_exact(4).take(total).map(float).collect())
    }

    pub(crate) fn submit(&self, encoder: wgpu::CommandEncoder) {
        self.queue.submit([encoder.finish()]);
    }

    /// Compiles `wgsl` and binds `buffers` to its bindings 0, 1, ...
    pub(crate) fn kernel(&self, wgsl: &str, buffers: &[&wgpu::Buffer], grid: Grid) -> Kernel {
        let device = &self.device;
        let source = wgpu::ShaderSource::Wgsl(wgsl.into());
        let label = None;
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor { label, source });
        let pipeline = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: None,
            layout: None,
            module: &module,
            entry_point: Some("main"),
            compilation_options: Default::default(),
            cache: None,
        });
        let entries: Vec<_> = (0..)
            .zip(buffers)
            .map(|(binding, buffer)| wgpu::BindGroupEntry {
                binding,
                resource: buffer.as_entire_binding(),
            })
            .collect();
        let group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: None,
            layout: &pipeline.get_bind_group_layout(0),
            entries: &entries,
        });
        Kernel {
            pipeline,
            group,
            grid,
        }
    }
}

/// Keeps the first failure.
fn note(failure: &Mutex<Option<String>>, message: String) {
    if let Ok(mut failure) = failure.lock() {
        failure.get_or_insert(message);
    }
}

/// Runs a future to its end on this thread (wgpu's requests are futures).
fn block_on<F: core::future::Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut context = Context::from_waker(&waker);
    let mut future = core::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::park();
    }
}
