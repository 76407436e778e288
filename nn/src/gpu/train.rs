//! Training on the GPU: a step's forward and backward kernels, the loss's `δ` and the
//! optimizer's update in one submission; `fit` and `evaluate` as on the CPU.
use super::{wgsl, Gpu, Grid, Kernel, Single};
use crate::error::{ensure, same_length};
use crate::fit::{hold_out, progress_bar};
use crate::network::finite;
use crate::{Adam, BinaryCrossEntropy, CrossEntropy, Data, Error, Fit, History, Loss, Metrics};
use crate::{Model, Mse, Network, Sgd};
use nalgebra::SVector;

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
/// as on the CPU.
pub trait Update<N> {
    /// The WGSL of one parameter's update, as [`wgsl`]'s `optimizer` describes it.
    const UPDATE: &'static str;
    /// The hyperparameters of the next step, `h[0].y` onwards.
    fn hyperparameters(&self) -> [f64; 11];
    /// Its state, to start from on the device (`None`: zeros).
    fn state(&self) -> [Option<&N>; 2];
    /// Counts a step that took.
    fn stepped(&mut self) {}
}

impl<N: Model> Update<N> for Sgd<N> {
    const UPDATE: &'static str = "let v = h[0].z * s1 + g;
        w = w - h[0].y * v;
        if h[0].w == 0.0 { s1 = v; }";
    fn hyperparameters(&self) -> [f64; 11] {
        let plain = f64::from(u8::from(self.momentum == 0.0));
        [
            self.lr,
            self.momentum,
            plain,
            0.,
            0.,
            0.,
            0.,
            0.,
            0.,
            0.,
            0.,
        ]
    }
    fn state(&self) -> [Option<&N>; 2] {
        [Some(&self.velocity), None]
    }
}

impl<N: Model> Update<N> for Adam<N> {
    const UPDATE: &'static str = "s1 = h[0].z * s1 + h[1].x * g;
        s2 = h[0].w * s2 + h[1].y * g * g;
        let m_hat = s1 / h[1].z;
        let v_hat = s2 / h[1].w;
        w = h[2].x * w - h[0].y * m_hat / (sqrt(v_hat) + h[2].y);";
    fn hyperparameters(&self) -> [f64; 11] {
        let (beta1, beta2) = self.betas;
        let t = self.t as f64 + 1.0;
        let correction1 = 1.0 - libm::pow(beta1, t);
        let correction2 = 1.0 - libm::pow(beta2, t);
        let decay = 1.0 - self.lr * self.weight_decay;
        let (lr, eps) = (self.lr, self.eps);
        [
            lr,
            beta1,
            beta2,
            1.0 - beta1,
            1.0 - beta2,
            correction1,
            correction2,
            decay,
            eps,
            0.,
            0.,
        ]
    }
    fn state(&self) -> [Option<&N>; 2] {
        [Some(&self.moments.0), Some(&self.moments.1)]
    }
    fn stepped(&mut self) {
        self.t += 1;
    }
}

/// Trains a [`Gpu`] network with an optimizer and a loss, like [`crate::Trainer`]: the
/// gradient, the optimizer's state and the step stay on the device. Its optimizer's state
/// starts from `optimizer`'s and is not copied back.
#[derive(Debug)]
pub struct Trainer<N, Opt, L> {
    /// The optimizer: its hyperparameters are read at every step.
    pub optimizer: Opt,
    /// The loss.
    pub loss: L,
    steps: Option<Steps>,
    net: core::marker::PhantomData<fn() -> N>,
}

/// A trainer's kernels and buffers on the device, for the network whose parameters are
/// `params`.
#[derive(Debug)]
struct Steps {
    params: wgpu::Buffer,
    delta: Kernel,
    update: Kernel,
    hyperparameters: wgpu::Buffer,
    state: wgpu::Buffer,
    next: wgpu::Buffer,
    next_state: wgpu::Buffer,
    flag: wgpu::Buffer,
}

impl Steps {
    /// The loss's and the optimizer's kernels for `net`, the state from `optimizer`'s.
    fn new<N, Opt, L>(optimizer: &Opt, net: &Gpu<N>) -> Self
    where
        N: Model,
        N::Scalar: Single,
        Opt: Update<N>,
        L: Delta,
    {
        let device = net.device();
        let params = N::PARAMS;
        let state = device.storage(2 * params);
        let [first, second] = optimizer.state();
        let values = |n: Option<&N>| -> Vec<f32> {
            let zeros = || vec![0.0; params];
            n.map_or_else(zeros, |n| {
                n.params().flatten().map(|v| v.to_f32()).collect()
            })
        };
        let mut both = values(first);
        both.extend(values(second));
        device.write(&state, &both);
        let last = net.places().len() - 1;
        let place = &net.places()[last];
        let text = wgsl::loss_delta(place, &L::wgsl(place.layer.outputs));
        let buffers = [&net.dims, &net.a[last], &net.y, &net.d[last]];
        let delta = device.kernel(&text, &buffers, Grid::Each(place.layer.outputs, true));
        let hyperparameters = device.uniform(48);
        let next = device.storage(params);
        let next_state = device.storage(2 * params);
        let flag = device.storage(1);
        let text = wgsl::optimizer(Opt::UPDATE, params);
        let buffers = [
            &hyperparameters,
            &net.params,
            &net.grads,
            &state,
            &next,
            &next_state,
            &flag,
        ];
        let update = device.kernel(&text, &buffers, Grid::Each(params, false));
        Self {
            params: net.params.clone(),
            delta,
            update,
            hyperparameters,
            state,
            next,
            next_state,
            flag,
        }
    }
}

impl<N, Opt, L> Trainer<N, Opt, L>
where
    N: Model,
    N::Scalar: Single,
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

    /// The kernels for `net`, compiled at its first step.
    fn steps(&mut self, net: &Gpu<N>) -> &Steps {
        let steps = match self.steps.take() {
            Some(steps) if steps.params == net.params => steps,
            _ => Steps::new::<N, Opt, L>(&self.optimizer, net),
        };
        self.steps.insert(steps)
    }

    /// One step on one batch, as [`crate::Trainer::step`]: the mean loss's gradient, then one
    /// optimizer step, on the device. Returns the mean loss before the step.
    ///
    /// # Errors
    /// As [`crate::Trainer::step`] (the network unchanged on a NaN or infinity), and
    /// [`Error::Io`] if the device was lost.
    pub fn step<const I: usize, const O: usize>(
        &mut self,
        net: &mut Gpu<N>,
        data: Data<'_, N::Scalar, I, O>,
    ) -> Result<N::Scalar, Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output>,
    {
        let n = data.0.len();
        let mut hyperparameters = vec![(1.0 / n as f64) as f32];
        hyperparameters.extend(self.optimizer.hyperparameters().map(|h| h as f32));
        let steps = self.steps(net);
        net.device().write(&steps.hyperparameters, &hyperparameters);
        let (loss, flag) = self.sums(net, data, true)?;
        ensure(flag & 1 == 0, || Error::NonFinite("gradient", 0, 0))?;
        ensure(flag & 2 == 0, || Error::NonFinite("weights", 0, 0))?;
        let steps = self.steps(net);
        let mut encoder = net.device().encoder();
        encoder.copy_buffer_to_buffer(&steps.next, 0, &net.params, 0, None);
        encoder.copy_buffer_to_buffer(&steps.next_state, 0, &steps.state, 0, None);
        net.device().submit(encoder);
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
        net: &Gpu<N>,
        data: Data<'_, N::Scalar, I, O>,
    ) -> Result<(N, N::Scalar), Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output>,
    {
        let (loss, _) = self.sums(net, data, false)?;
        let encoder = net.device().encoder();
        let sums = net.device().read(encoder, &[(&net.grads, N::PARAMS)])?;
        let scale = (1.0 / data.0.len() as f64) as f32;
        let mut grads = N::default();
        let pairs = grads.params_mut().flatten().zip(sums);
        pairs.for_each(|(g, sum)| *g = N::Scalar::from_f32(sum * scale));
        Ok((grads, loss))
    }

    /// Runs the forward and backward kernels on `(inputs, targets)`, a piece of the batch at
    /// a time, summing the gradient on the device, and with `update`, the optimizer's kernel
    /// after the last piece. Returns the mean loss and the optimizer's flag.
    fn sums<const I: usize, const O: usize>(
        &mut self,
        net: &Gpu<N>,
        (inputs, targets): Data<'_, N::Scalar, I, O>,
        update: bool,
    ) -> Result<(N::Scalar, u32), Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output>,
    {
        same_length(inputs, targets)?;
        ensure(!inputs.is_empty(), || Error::EmptyData)?;
        let finite_sample = |(x, y): (&SVector<N::Scalar, I>, &SVector<N::Scalar, O>)| {
            finite(x.as_slice()) && finite(y.as_slice())
        };
        let all_finite = inputs.iter().zip(targets).all(finite_sample);
        ensure(all_finite, || Error::NonFinite("sample", 0, 0))?;
        let steps = self.steps(net);
        let device = net.device();
        let mut encoder = device.encoder();
        encoder.clear_buffer(&net.grads, 0, None);
        encoder.clear_buffer(&steps.flag, 0, None);
        device.submit(encoder);
        let n = inputs.len();
        let mut loss = 0.0;
        let mut flag = 0;
        let capacity = net.capacity();
        for start in (0..n).step_by(capacity) {
            let columns = capacity.min(n - start);
            let piece = start..start + columns;
            let x = floats(inputs[piece.clone()].iter().flatten());
            let y = floats(targets[piece].iter().flatten());
            let delta = core::slice::from_ref(&steps.delta);
            let mut kernels = vec![net.forward_kernels(), delta];
            kernels.extend(net.backward(L::THROUGH_ACTIVATION));
            let last = update && start + columns == n;
            if last {
                kernels.push(core::slice::from_ref(&steps.update));
            }
            let encoder = net.run(&x, Some(&y), columns, &kernels);
            let output = net.places().len() - 1;
            let values = O * columns;
            let mut parts = vec![(&net.z[output], values), (&net.a[output], values)];
            if last {
                parts.push((&steps.flag, 1));
            }
            let read = device.read(encoder, &parts)?;
            let (z, a) = read.split_at(values);
            loss += f64::from(L::loss(z, &a[..values], &y, O));
            if last {
                // The flag's bits, read as the bits of a float.
                flag = read[2 * values].to_bits();
            }
        }
        let loss = loss / n as f64;
        ensure(loss.is_finite(), || Error::NonFinite("loss", 0, 0))?;
        Ok((N::Scalar::from_f32(loss as f32), flag))
    }

    /// Measures `net` on `(inputs, targets)`, as [`crate::evaluate`]: the outputs computed on
    /// the device, the loss and accuracy from them.
    ///
    /// # Errors
    /// [`Error::LengthMismatch`]; [`Error::Io`] if the device was lost.
    pub fn evaluate<const I: usize, const O: usize>(
        &self,
        net: &Gpu<N>,
        (inputs, targets): Data<'_, N::Scalar, I, O>,
    ) -> Result<Metrics, Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output>,
    {
        same_length(inputs, targets)?;
        let x = floats(inputs.iter().flatten());
        let y = floats(targets.iter().flatten());
        let (z, a) = net.outputs(&x, inputs.len())?;
        let n = inputs.len() as f64;
        let loss = f64::from(L::loss(&z, &a, &y, O));
        let columns = a.chunks_exact(O).zip(y.chunks_exact(O));
        let right = columns
            .filter(|(a, y)| crate::class(a) == crate::class(y))
            .count();
        Ok(Metrics {
            loss: loss / n,
            accuracy: right as f64 / n,
        })
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
        train: Data<'_, N::Scalar, I, O>,
        validation: Option<Data<'_, N::Scalar, I, O>>,
        fit: &Fit,
    ) -> Result<History, Error>
    where
        N: Network<I, O>,
        L: Loss<N::Output>,
    {
        use rand::{seq::SliceRandom, SeedableRng};
        let no_checkpoint = || failed_checkpoint();
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
        crate::fit::check(train, validation)?;
        ensure(fit.batch_size > 0, || Error::ZeroBatch)?;
        let (xs, ys) = train;
        let bar = progress_bar(fit, true);
        let mut history = History::default();
        let mut best = fit.patience.map(|_| net.to_cpu()).transpose()?;
        let mut best_loss = f64::MAX;
        let mut order: Vec<usize> = (0..xs.len()).collect();
        let mut batch_x = Vec::new();
        let mut batch_y = Vec::new();
        for epoch in 0..fit.epochs {
            order.shuffle(&mut rng);
            for (b, batch) in order.chunks(fit.batch_size).enumerate() {
                batch_x.clear();
                batch_y.clear();
                batch_x.extend(batch.iter().map(|&i| xs[i]));
                batch_y.extend(batch.iter().map(|&i| ys[i]));
                let stepped = self.step(net, (&batch_x, &batch_y));
                stepped.map_err(|e| e.at(epoch, b))?;
            }
            let train = self.evaluate(net, (xs, ys))?;
            let val = validation
                .map(|data| self.evaluate(net, data))
                .transpose()?;
            history.train.push(train);
            history.validation.extend(val);
            bar.set_message(format!(
                "loss {:.4} accuracy {:.3}",
                train.loss, train.accuracy
            ));
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

/// The values as `f32`s.
pub(crate) fn floats<'a, T: Single>(values: impl Iterator<Item = &'a T>) -> Vec<f32> {
    values.map(|v| v.to_f32()).collect()
}

/// The error of a `fit` on the GPU given a checkpoint.
fn failed_checkpoint() -> Error {
    super::failed("checkpoints are saved by the CPU's `Trainer::fit` only")
}
