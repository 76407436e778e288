//! Training on the GPU: a step's forward and backward kernels, the loss's `δ` and the
//! optimizer's update in one submission; `fit` and `evaluate` as on the CPU.
use super::{failed, wgsl, Gpu, Grid, Kernel};
use crate::error::{ensure, same_length};
use crate::fit::{check, hold_out, progress_bar};
use crate::network::finite;
use crate::{Adam, BinaryCrossEntropy, CrossEntropy, Data, Error, Fit, History, Loss, Metrics};
use crate::{Model, Mse, Network, Sgd, State};

/// A loss the GPU computes `δ` of: [`Mse`], [`BinaryCrossEntropy`], [`CrossEntropy`].
pub trait Delta {
    /// Whether `δ` goes through the output activation's derivative (`Mse`'s does).
    const THROUGH_ACTIVATION: bool;
    /// The WGSL expression of the output's `∂L/∂a` (or `δ`) from `a[i]` and `y[i]`, for
    /// `rows` outputs.
    fn wgsl(rows: usize) -> String;
}

/// `1 / rows` as the CPU's losses compute it, a WGSL `f32` literal.
fn per(rows: usize) -> String {
    let per = (1.0 / rows as f64) as f32;
    format!("{per:?}f")
}

impl Delta for Mse {
    const THROUGH_ACTIVATION: bool = true;
    fn wgsl(rows: usize) -> String {
        let per = per(rows);
        format!("(a[i] - y[i]) * ({per} + {per})")
    }
}

impl Delta for BinaryCrossEntropy {
    const THROUGH_ACTIVATION: bool = false;
    fn wgsl(rows: usize) -> String {
        format!("(a[i] - y[i]) * {}", per(rows))
    }
}

impl Delta for CrossEntropy {
    const THROUGH_ACTIVATION: bool = false;
    fn wgsl(_: usize) -> String {
        "a[i] - y[i]".into()
    }
}

/// An optimizer the GPU runs: [`Sgd`] and [`Adam`] (and AdamW), each step all or nothing
/// as on the CPU. Its state on the device starts from its [`State`]'s buffers.
pub trait Update<N>: State<N> {
    /// The WGSL of one parameter's update, as `wgsl::optimizer` describes it.
    const UPDATE: &'static str;
    /// The hyperparameters of the next step, `h[0].y` onwards (at most 11).
    fn hyperparameters(&self) -> Vec<f32>;
    /// Counts a step that took.
    fn stepped(&mut self) {}
}

impl<N: Model<Scalar = f32>> Update<N> for Sgd<N> {
    const UPDATE: &'static str = "let v = h[0].z * s1 + g;
        w = w - h[0].y * v;
        if h[0].w == 0.0 { s1 = v; }";
    fn hyperparameters(&self) -> Vec<f32> {
        let plain = f32::from(u8::from(self.momentum == 0.0));
        vec![self.lr, self.momentum, plain]
    }
}

impl<N: Model<Scalar = f32>> Update<N> for Adam<N> {
    const UPDATE: &'static str = "s1 = h[0].z * s1 + h[1].x * g;
        s2 = h[0].w * s2 + h[1].y * g * g;
        let m_hat = s1 / h[1].z;
        let v_hat = s2 / h[1].w;
        w = h[2].x * w - h[0].y * m_hat / (sqrt(v_hat) + h[2].y);";
    fn hyperparameters(&self) -> Vec<f32> {
        // As the CPU computes them, in `f32`.
        let (b1, b2) = self.betas;
        let t = self.t as f32 + 1.0;
        let correction1 = 1.0 - libm::powf(b1, t);
        let correction2 = 1.0 - libm::powf(b2, t);
        let decay = 1.0 - self.lr * self.weight_decay;
        vec![
            self.lr,
            b1,
            b2,
            1.0 - b1,
            1.0 - b2,
            correction1,
            correction2,
            decay,
            self.eps,
        ]
    }
    fn stepped(&mut self) {
        self.t += 1;
    }
}

/// Trains a [`Gpu`] network with an optimizer and a loss, like [`crate::Trainer`]: the
/// gradient, the optimizer's state and the step stay on the device. The state starts from
/// `optimizer`'s at the first step and is not copied back.
#[derive(Debug)]
pub struct Trainer<N, Opt, L> {
    /// The optimizer: its hyperparameters are read at every step.
    pub optimizer: Opt,
    /// The loss.
    pub loss: L,
    steps: Option<Steps>,
    net: core::marker::PhantomData<fn() -> N>,
}

/// A trainer's kernels and buffers, for the network whose parameters are `params`.
#[derive(Debug)]
struct Steps {
    params: wgpu::Buffer,
    delta: Kernel,
    update: Kernel,
    /// The optimizer's hyperparameters, `h` in its kernel.
    hyper: wgpu::Buffer,
    /// The new weights and state, copied to `params` if all are finite.
    next: wgpu::Buffer,
    /// Bit 1: a non-finite gradient; bit 2: a non-finite new weight.
    flag: wgpu::Buffer,
}

impl<N, Opt, L> Trainer<N, Opt, L>
where
    N: Model<Scalar = f32>,
    Opt: Update<N>,
    L: Delta + Copy,
{
    /// A trainer that minimises `loss` with `optimizer` on the GPU.
    pub fn new(optimizer: Opt, loss: L) -> Self {
        Self {
            optimizer,
            loss,
            steps: None,
            net: core::marker::PhantomData,
        }
    }

    /// The kernels for `net`, compiled at its first step, with the optimizer's state.
    fn steps(&mut self, net: &Gpu<N>) -> &Steps {
        if let Some(steps) = self.steps.take().filter(|s| s.params == net.params) {
            return self.steps.insert(steps);
        }
        let device = &net.device;
        let params = N::PARAMS;
        let state = self.optimizer.buffers().into_iter();
        let values: Vec<f32> = state.flat_map(|n| n.params().flatten().copied()).collect();
        let zeros = vec![0.0; 2 * params - values.len()];
        device.write(&net.params, params, &[values, zeros].concat());
        let last = net.places.len() - 1;
        let outputs = net.places[last].layer.outputs;
        let text = wgsl::loss_delta(&net.places[last], &L::wgsl(outputs));
        let buffers = [&net.dims, &net.a[last], &net.y, &net.d[last]];
        let delta = device.kernel(&text, &buffers, Grid::Each(outputs, true));
        let hyper = device.uniform(48);
        let next = device.storage(3 * params);
        let flag = device.storage(1);
        let text = wgsl::optimizer(Opt::UPDATE, params);
        let buffers = [&hyper, &net.params, &net.grads, &next, &flag];
        let update = device.kernel(&text, &buffers, Grid::Each(params, false));
        let params = net.params.clone();
        self.steps.insert(Steps {
            params,
            delta,
            update,
            hyper,
            next,
            flag,
        })
    }

    /// One step on one batch, as [`crate::Trainer::step`]: the mean loss's gradient, then one
    /// optimizer step, on the device. Returns the mean loss before the step.
    ///
    /// # Errors
    /// As [`crate::Trainer::step`] (the network and the optimizer's state unchanged on a NaN
    /// or infinity), and [`Error::Io`] if the device was lost.
    pub fn step<const I: usize, const O: usize>(
        &mut self,
        net: &mut Gpu<N>,
        data: Data<'_, f32, I, O>,
    ) -> Result<f32, Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output>,
    {
        let mut hyper = vec![1.0 / data.0.len() as f32];
        hyper.extend(self.optimizer.hyperparameters());
        hyper.resize(12, 0.0);
        net.device.write(&self.steps(net).hyper, 0, &hyper);
        let (loss, flag) = self.sums(net, data, true)?;
        ensure(flag & 1 == 0, || Error::NonFinite("gradient", 0, 0))?;
        ensure(flag & 2 == 0, || Error::NonFinite("weights", 0, 0))?;
        let mut encoder = net.device.encoder();
        encoder.copy_buffer_to_buffer(&self.steps(net).next, 0, &net.params, 0, None);
        net.device.submit(encoder);
        self.optimizer.stepped();
        Ok(loss)
    }

    /// The gradient of the mean loss over `data`, computed on the device, shaped like the
    /// network (what [`Trainer::step`] hands its optimizer), and the mean loss.
    ///
    /// # Errors
    /// As [`Trainer::step`].
    pub fn gradient<const I: usize, const O: usize>(
        &mut self,
        net: &mut Gpu<N>,
        data: Data<'_, f32, I, O>,
    ) -> Result<(N, f32), Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output>,
    {
        let (loss, _) = self.sums(net, data, false)?;
        let sums = net
            .device
            .read(net.device.encoder(), &[(&net.grads, N::PARAMS)])?;
        let scale = (1.0 / data.0.len() as f64) as f32;
        let mut grads = N::default();
        let pairs = grads.params_mut().flatten().zip(sums);
        pairs.for_each(|(g, sum)| *g = sum * scale);
        Ok((grads, loss))
    }

    /// Runs the forward and backward kernels on `(inputs, targets)`, a piece of the batch at
    /// a time, summing the gradient on the device, and with `update`, the optimizer's kernel
    /// after the last piece. Returns the mean loss and the optimizer's flag.
    fn sums<const I: usize, const O: usize>(
        &mut self,
        net: &Gpu<N>,
        (inputs, targets): Data<'_, f32, I, O>,
        update: bool,
    ) -> Result<(f32, u32), Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output>,
    {
        same_length(inputs, targets)?;
        ensure(!inputs.is_empty(), || Error::EmptyData)?;
        let x: Vec<f32> = inputs.iter().flatten().copied().collect();
        let y: Vec<f32> = targets.iter().flatten().copied().collect();
        ensure(finite(&x) && finite(&y), || {
            Error::NonFinite("sample", 0, 0)
        })?;
        let steps = self.steps(net);
        let device = &net.device;
        let mut encoder = device.encoder();
        encoder.clear_buffer(&net.grads, 0, None);
        encoder.clear_buffer(&steps.flag, 0, None);
        device.submit(encoder);
        let mut kernels = vec![&net.forward[..], core::slice::from_ref(&steps.delta)];
        kernels.extend(net.backward(L::THROUGH_ACTIVATION));
        let last = &core::slice::from_ref(&steps.update)[..usize::from(update)];
        let (z, a) = net.pieces((&x, &y), inputs.len(), &kernels, last)?;
        let loss = f64::from(L::loss(&z, &a, &y, O)) / inputs.len() as f64;
        ensure(loss.is_finite(), || Error::NonFinite("loss", 0, 0))?;
        let flag = device.read(device.encoder(), &[(&steps.flag, 1)])?;
        // The flag's bits, read as the bits of a float.
        Ok((loss as f32, flag[0].to_bits()))
    }

    /// Measures `net` on `(inputs, targets)`, as [`crate::evaluate`]: the outputs computed on
    /// the device, the loss and accuracy from them.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`]; [`Error::Io`] if the device was lost.
    pub fn evaluate<const I: usize, const O: usize>(
        &self,
        net: &mut Gpu<N>,
        (inputs, targets): Data<'_, f32, I, O>,
    ) -> Result<Metrics, Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output>,
    {
        same_length(inputs, targets)?;
        let x: Vec<f32> = inputs.iter().flatten().copied().collect();
        let y: Vec<f32> = targets.iter().flatten().copied().collect();
        let (z, a) = net.pieces((&x, &[]), inputs.len(), &[&net.forward], &[])?;
        let n = inputs.len() as f64;
        let loss = f64::from(L::loss(&z, &a, &y, O)) / n;
        let columns = a.chunks_exact(O).zip(y.chunks_exact(O));
        let right = columns.filter(|(a, y)| crate::class(a) == crate::class(y));
        let accuracy = right.count() as f64 / n;
        Ok(Metrics { loss, accuracy })
    }

    /// Trains `net` as [`crate::Trainer::fit`] does (the same shuffles from the same seed,
    /// validation, early stopping, the progress bar), every step on the device.
    ///
    /// # Errors
    /// As [`crate::Trainer::fit`]; a `fit.checkpoint` is [`Error::Io`]: checkpoints are for
    /// the CPU.
    pub fn fit<const I: usize, const O: usize>(
        &mut self,
        net: &mut Gpu<N>,
        train: Data<'_, f32, I, O>,
        validation: Option<Data<'_, f32, I, O>>,
        fit: &Fit,
    ) -> Result<History, Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output>,
    {
        use rand::{seq::SliceRandom, SeedableRng};
        let no_checkpoint = || failed("checkpoints are saved by the CPU's `Trainer::fit` only");
        ensure(fit.checkpoint.is_none(), no_checkpoint)?;
        let mut rng = rand::rngs::Xoshiro256PlusPlus::seed_from_u64(fit.seed);
        same_length(train.0, train.1)?;
        let split = (validation.is_none() && fit.validation_split > 0.0)
            .then(|| hold_out(train, fit.validation_split, &mut rng));
        let (train, validation) = match &split {
            Some(((x, y), (vx, vy))) if !vx.is_empty() => {
                ((&x[..], &y[..]), Some((&vx[..], &vy[..])))
            }
            _ => (train, validation),
        };
        check(train, validation)?;
        ensure(fit.batch_size > 0, || Error::ZeroBatch)?;
        let (xs, ys) = train;
        let bar = progress_bar(fit, true);
        let mut history = History::default();
        let mut best = fit.patience.map(|_| net.to_cpu()).transpose()?;
        let mut best_loss = f64::MAX;
        let mut order: Vec<usize> = (0..xs.len()).collect();
        for epoch in 0..fit.epochs {
            order.shuffle(&mut rng);
            for (b, batch) in order.chunks(fit.batch_size).enumerate() {
                let batch_x: Vec<_> = batch.iter().map(|&i| xs[i]).collect();
                let batch_y: Vec<_> = batch.iter().map(|&i| ys[i]).collect();
                let stepped = self.step(net, (&batch_x, &batch_y));
                stepped.map_err(|e| e.at(epoch, b))?;
            }
            let train = self.evaluate(net, (xs, ys))?;
            let val = validation.map(|data| self.evaluate(net, data));
            let val = val.transpose()?;
            history.train.push(train);
            history.validation.extend(val);
            let Metrics { loss, accuracy } = train;
            bar.set_message(format!("loss {loss:.4} accuracy {accuracy:.3}"));
            bar.inc(1);
            let monitored = val.unwrap_or(train).loss;
            if monitored < best_loss - fit.min_delta {
                history.best_epoch = epoch;
                best_loss = monitored;
                best = fit.patience.map(|_| net.to_cpu()).transpose()?;
            } else if epoch - history.best_epoch >= fit.patience.unwrap_or(usize::MAX) {
                break;
            }
        }
        bar.finish_and_clear();
        if let Some(best) = best {
            net.upload(&best);
        }
        Ok(history)
    }
}
