//! The GPU path against the CPU path: forward outputs, gradients, ten steps of every
//! optimizer, `fit` and `evaluate`, for the network shapes the CPU tests use (in `f32`) and the
//! four benchmark networks. Run with `cargo test --features gpu --test gpu`; without an
//! adapter the tests print why and pass, except in CI (`CI` set), where a missing adapter
//! fails.
//!
//! Tolerances, relative to the largest value of the CPU's tensor (`relative` below), with the
//! largest differences measured on Mesa's software Vulkan (`cargo test --features gpu --test
//! gpu -- --nocapture` prints every one). The GPU sums the same products in another order
//! (16-wide tiles) and its `exp`, `tanh` and `erf` are WGSL's (a few ulps; `erf` within
//! 1.5e-7), so outputs and gradients differ by a few float epsilons (6e-8): outputs 2e-6
//! (measured at most 2.0e-7), gradients 1e-5 (7.5e-7, from sums of up to 784 products). Ten
//! SGD steps, with or without momentum, carry those differences into the weights: 1e-5
//! (2.5e-7). Ten Adam or AdamW steps: 1e-3 (1.9e-4), because Adam divides by `√v̂ + ε`, so
//! where a gradient is as small as its rounding (a weight that hardly matters) its step is
//! `lr` times the sign of that rounding: up to `lr` = 0.01 a step on such a weight. Losses
//! agree within 1e-5 of their size.
use nn::gpu::{Delta, Gpu};
use nn::prelude::*;
use nn::{Adam, BinaryCrossEntropy, CrossEntropy, Error, Loss, Mse, Optimizer, Sgd, Trainer};
use rand::{rngs::Xoshiro256PlusPlus, RngExt, SeedableRng};

/// The tolerance of ten SGD steps.
const SGD: f32 = 1e-5;
/// The tolerance of ten Adam steps.
const ADAM: f32 = 1e-3;

/// The network on the GPU, or `None` (with the reason printed) on a machine without an
/// adapter, outside CI.
fn on_gpu<N: Model<Scalar = f32>>(net: &N) -> Option<Gpu<N>> {
    match Gpu::new(net) {
        Ok(gpu) => Some(gpu),
        // Only a machine without an adapter skips, and never in CI: any other error fails.
        Err(e) if std::env::var_os("CI").is_none() && e.to_string().contains("no adapter") => {
            eprintln!("skipped: {e}");
            None
        }
        Err(e) => panic!("the GPU tests need an adapter (CI: Mesa's software Vulkan): {e}"),
    }
}

/// The largest difference between `gpu` and `cpu`, relative to the largest `|cpu|`.
fn relative(gpu: &[f32], cpu: &[f32]) -> f32 {
    assert_eq!(gpu.len(), cpu.len());
    let largest = cpu.iter().fold(1e-30f32, |m, v| m.max(v.abs()));
    let pairs = gpu.iter().zip(cpu);
    pairs.fold(0.0f32, |m, (g, c)| m.max((g - c).abs())) / largest
}

/// Every value of `vectors`, in order.
fn columns<const R: usize>(vectors: &[SVector<f32, R>]) -> Vec<f32> {
    vectors.iter().flatten().copied().collect()
}

/// Every parameter of `net`, in order.
fn flat<N: Model<Scalar = f32>>(net: &N) -> Vec<f32> {
    net.params().flatten().copied().collect()
}

/// Targets that fit a loss: one-hot for cross-entropy, 0 or 1 for binary cross-entropy,
/// any value for MSE.
#[derive(Clone, Copy, Debug)]
enum Targets {
    OneHot,
    Binary,
    Any,
}

/// `n` random samples for `I` inputs and `O` outputs.
fn samples<const I: usize, const O: usize>(
    n: usize,
    targets: Targets,
    seed: u64,
) -> (Vec<SVector<f32, I>>, Vec<SVector<f32, O>>) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for _ in 0..n {
        xs.push(SVector::from_fn(|_, _| rng.random_range(-1.0..1.0)));
        let class = rng.random_range(0..O);
        ys.push(SVector::from_fn(|i, _| match targets {
            Targets::OneHot => f32::from(u8::from(i == class)),
            Targets::Binary => f32::from(u8::from(rng.random::<bool>())),
            Targets::Any => rng.random_range(-1.0..1.0),
        }));
    }
    (xs, ys)
}

/// The CPU's gradient of the mean loss over `B` samples, and the mean loss.
fn cpu_gradient<N, L, const I: usize, const O: usize, const B: usize>(
    net: &N,
    xs: &[SVector<f32, I>],
    ys: &[SVector<f32, O>],
) -> (N, f32)
where
    N: Network<I, O> + Model<Scalar = f32>,
    L: Loss<N::Output>,
{
    let mut x = nn::Batch::<N, I, B>::zeros();
    let mut y = nn::Batch::<N, O, B>::zeros();
    x.values_mut()
        .copy_from_slice(&xs.iter().flatten().copied().collect::<Vec<_>>());
    y.values_mut()
        .copy_from_slice(&ys.iter().flatten().copied().collect::<Vec<_>>());
    let mut grads = N::default();
    let loss = net.backward::<L, B>(&x, &y, &mut grads);
    grads.params_mut().flatten().for_each(|g| *g /= B as f32);
    (grads, loss / B as f32)
}

/// Forward outputs and the gradient on 37 samples, then ten steps of each optimizer on
/// minibatches of 10, 10, 10 and 7, against the CPU.
fn against_cpu<N, L, const I: usize, const O: usize>(loss: L, targets: Targets)
where
    N: Network<I, O> + Model<Scalar = f32>,
    L: Loss<N::Output> + Delta + Copy,
{
    let net = N::new(5);
    let Some(mut gpu) = on_gpu(&net) else { return };
    let (xs, ys) = samples::<I, O>(37, targets, 9);
    let outputs = gpu.predict(&xs).unwrap();
    let expected: Vec<_> = xs.iter().map(|x| net.forward(x)).collect();
    let error = relative(&columns(&outputs), &columns(&expected));
    eprintln!("{}: outputs {error:.1e}", N::ARCHITECTURE);
    assert!(
        error < 2e-6,
        "{}: outputs differ by {error:e}",
        N::ARCHITECTURE
    );

    let mut trainer = nn::gpu::Trainer::new(Sgd::new(0.1, 0.0), loss);
    let (grads, gpu_loss) = trainer.gradient(&mut gpu, (&xs, &ys)).unwrap();
    let (expected, cpu_loss) = cpu_gradient::<N, L, I, O, 37>(&net, &xs, &ys);
    let error = relative(&flat(&grads), &flat(&expected));
    eprintln!("{}: gradient {error:.1e}", N::ARCHITECTURE);
    assert!(
        error < 1e-5,
        "{}: gradients differ by {error:e}",
        N::ARCHITECTURE
    );
    assert!((gpu_loss - cpu_loss).abs() <= 1e-5 * cpu_loss.abs().max(1.0));

    let data = (&xs[..], &ys[..]);
    steps(
        &mut gpu,
        &net,
        ("SGD", Sgd::new(0.05, 0.0), SGD),
        loss,
        data,
    );
    steps(
        &mut gpu,
        &net,
        ("momentum", Sgd::new(0.05, 0.9), SGD),
        loss,
        data,
    );
    steps(&mut gpu, &net, ("Adam", Adam::new(0.01), ADAM), loss, data);
    steps(
        &mut gpu,
        &net,
        ("AdamW", Adam::adamw(0.01, 0.1), ADAM),
        loss,
        data,
    );
}

/// Ten steps with `optimizer` from `net` on the GPU and on the CPU: the same losses and
/// weights.
fn steps<N, Opt, L, const I: usize, const O: usize>(
    gpu: &mut Gpu<N>,
    net: &N,
    (name, optimizer, tolerance): (&str, Opt, f32),
    loss: L,
    (xs, ys): nn::Data<'_, f32, I, O>,
) where
    N: Network<I, O> + Model<Scalar = f32>,
    Opt: Optimizer<N> + nn::gpu::Update<N> + Clone,
    L: Loss<N::Output> + Delta + Copy,
{
    gpu.upload(net);
    let mut cpu = net.clone();
    let mut on_cpu = Trainer::new(optimizer.clone(), loss);
    let mut on_gpu = nn::gpu::Trainer::new(optimizer.clone(), loss);
    for step in 0..10 {
        let start = step * 10 % xs.len();
        let end = (start + 10).min(xs.len());
        let batch = (&xs[start..end], &ys[start..end]);
        let expected = on_cpu.step(&mut cpu, batch).unwrap();
        let loss = on_gpu.step(gpu, batch).unwrap();
        assert!(
            (loss - expected).abs() <= 1e-5 * expected.abs().max(1.0),
            "{name}"
        );
    }
    let trained = gpu.to_cpu().unwrap();
    let error = relative(&flat(&trained), &flat(&cpu));
    let architecture = N::ARCHITECTURE;
    eprintln!("{architecture}: 10 steps of {name} {error:.1e}");
    assert!(
        error < tolerance,
        "{architecture}, {name}: weights differ by {error:e}"
    );
    assert_ne!(&trained, net);
}

/// A test of one network shape against the CPU.
macro_rules! shape {
    ($test:ident, $loss:expr, $targets:ident, $i:literal => $($rest:tt)*) => {
        #[test]
        fn $test() {
            network! { struct Net < $i => $($rest)* > }
            against_cpu::<Net, _, $i, _>($loss, Targets::$targets);
        }
    };
}

// The four benchmark networks.
shape!(xor, BinaryCrossEntropy, Binary, 2 => 4 relu => 1 sigmoid);
shape!(iris, CrossEntropy, OneHot, 4 => 16 tanh => 3 softmax);
shape!(digits, CrossEntropy, OneHot, 64 => 32 relu => 10 softmax);
shape!(mnist, CrossEntropy, OneHot, 784 => 128 relu => 10 softmax);
// The CPU tests' other shapes, every activation, each loss, softmax under MSE and hidden.
shape!(gelu_tanh, CrossEntropy, OneHot, 3 => 5 gelu => 4 tanh => 2 softmax);
shape!(leaky_tanh, Mse, Any, 3 => 5 leaky_relu => 4 tanh => 2 linear);
shape!(tanh_gelu_leaky, Mse, Any, 3 => 4 tanh => 3 gelu => 2 leaky_relu);
shape!(silu_softplus, BinaryCrossEntropy, Binary, 3 => 4 silu => 3 softplus => 2 sigmoid);
shape!(sigmoid_tanh, Mse, Any, 3 => 4 sigmoid => 2 tanh);
shape!(softmax_under_mse, Mse, Any, 3 => 4 linear => 3 softmax);
shape!(gelu_elu, CrossEntropy, OneHot, 3 => 4 gelu => 4 elu => 3 softmax);
shape!(elu_silu_softplus, Mse, Any, 3 => 3 elu => 3 silu => 2 softplus);
shape!(hidden_softmax, Mse, Any, 3 => 4 softmax => 2 sigmoid);
shape!(one, Mse, Any, 1 => 1 linear);
shape!(relu_relu, Mse, Any, 2 => 3 relu => 2 relu);
shape!(relu_tanh, CrossEntropy, OneHot, 8 => 16 relu => 16 tanh => 4 softmax);
shape!(relu_linear, CrossEntropy, OneHot, 6 => 16 relu => 8 linear => 4 softmax);
shape!(narrow, BinaryCrossEntropy, Binary, 129 => 2 relu => 1 sigmoid);
shape!(square, Mse, Any, 63 => 64 linear);
shape!(wide, CrossEntropy, OneHot, 64 => 128 relu => 10 softmax);

network! { struct Xor < 2 => 4 relu => 1 sigmoid > }
network! { struct Line < 1 => 1 linear > }

/// A batch larger than the buffers (4096 columns) runs in pieces: outputs, `forward_batch`
/// and the gradient as on the CPU.
///
/// Mutation caught: the second piece's targets from `start / rows` instead of `start * rows`
/// (the same for one output).
#[test]
fn batches_larger_than_the_buffers_run_in_pieces() {
    let net = Xor::new(2);
    let Some(mut gpu) = on_gpu(&net) else { return };
    let (xs, ys) = samples::<2, 1>(5000, Targets::Binary, 4);
    let outputs = gpu.predict(&xs).unwrap();
    let expected: Vec<_> = xs.iter().map(|x| net.forward(x)).collect();
    assert!(relative(&columns(&outputs), &columns(&expected)) < 2e-6);
    let batch = SMatrix::<f32, 2, 5000>::from_fn(|r, c| xs[c][r]);
    let gpu_batch = gpu.forward_batch(&batch).unwrap();
    let cpu_batch = net.forward_batch(&batch);
    assert!(relative(gpu_batch.as_slice(), cpu_batch.as_slice()) < 2e-6);
    let mut trainer = nn::gpu::Trainer::new(Sgd::new(0.1, 0.0), BinaryCrossEntropy);
    let (grads, loss) = trainer.gradient(&mut gpu, (&xs, &ys)).unwrap();
    let (expected, cpu_loss) = cpu_gradient::<Xor, BinaryCrossEntropy, 2, 1, 5000>(&net, &xs, &ys);
    assert!(relative(&flat(&grads), &flat(&expected)) < 1e-5);
    assert!((loss - cpu_loss).abs() < 1e-5);

    // Several outputs: the second piece's targets start at its first sample's.
    network! { struct Three < 4 => 8 tanh => 3 softmax > }
    let net = Three::new(2);
    let Some(mut gpu) = on_gpu(&net) else { return };
    let (xs, ys) = samples::<4, 3>(5000, Targets::OneHot, 5);
    let mut trainer = nn::gpu::Trainer::new(Sgd::new(0.1, 0.0), CrossEntropy);
    let (grads, loss) = trainer.gradient(&mut gpu, (&xs, &ys)).unwrap();
    // The CPU's, as the mean of ten chunks' of 500 (a 5000-column batch of an inline network
    // would not fit a debug build's stack).
    let mut expected = vec![0.0; Three::PARAMS];
    let mut cpu_loss = 0.0;
    for (x, y) in xs.chunks(500).zip(ys.chunks(500)) {
        let (grads, loss) = cpu_gradient::<Three, CrossEntropy, 4, 3, 500>(&net, x, y);
        let pairs = expected.iter_mut().zip(flat(&grads));
        pairs.for_each(|(e, g)| *e += g / 10.0);
        cpu_loss += loss / 10.0;
    }
    assert!(relative(&flat(&grads), &expected) < 1e-5);
    assert!((loss - cpu_loss).abs() < 1e-5);
}

/// A step that would make a weight infinite, a NaN sample, an infinite loss, empty or
/// mismatched data: `Err`s naming what, and the network and the optimizer as they were.
#[test]
fn bad_steps_change_nothing() {
    let net = Xor::new(1);
    let Some(mut gpu) = on_gpu(&net) else { return };
    let (xs, ys) = samples::<2, 1>(8, Targets::Binary, 3);
    let mut trainer = nn::gpu::Trainer::new(Sgd::new(f32::INFINITY, 0.9), BinaryCrossEntropy);
    let stepped = trainer.step(&mut gpu, (&xs, &ys));
    assert_eq!(stepped, Err(Error::NonFinite("weights", 0, 0)));
    assert_eq!(gpu.to_cpu().unwrap(), net);
    // The velocity is as it was: a good step now is the CPU's first step.
    trainer.optimizer.lr = 0.1;
    trainer.step(&mut gpu, (&xs, &ys)).unwrap();
    let mut cpu = net.clone();
    let mut on_cpu = Trainer::new(Sgd::new(0.1, 0.9), BinaryCrossEntropy);
    on_cpu.step(&mut cpu, (&xs, &ys)).unwrap();
    assert!(relative(&flat(&gpu.to_cpu().unwrap()), &flat(&cpu)) < 1e-6);
    gpu.upload(&net);

    let mut nan = xs.clone();
    nan[3][1] = f32::NAN;
    let stepped = trainer.step(&mut gpu, (&nan, &ys));
    assert_eq!(stepped, Err(Error::NonFinite("sample", 0, 0)));
    assert_eq!(
        trainer.step(&mut gpu, (&xs[..0], &ys[..0])),
        Err(Error::EmptyData)
    );
    let mismatched = trainer.step(&mut gpu, (&xs, &ys[..3]));
    assert_eq!(mismatched, Err(Error::LengthMismatch(8, 3)));
    assert_eq!(gpu.to_cpu().unwrap(), net);

    let line = Line::new(0);
    let Some(mut gpu) = on_gpu(&line) else { return };
    let huge = [SVector::from([1e30f32])];
    let target = [SVector::from([0.0f32])];
    let mut trainer = nn::gpu::Trainer::new(Adam::new(0.1), Mse);
    let stepped = trainer.step(&mut gpu, (&huge, &target));
    assert_eq!(stepped, Err(Error::NonFinite("loss", 0, 0)));
    assert_eq!(gpu.to_cpu().unwrap(), line);
    assert_eq!(trainer.optimizer.t, 0);
}

/// `fit` on the GPU takes the CPU's shuffles, validation split and early stopping: the same
/// history within the tolerance of the steps.
#[test]
fn fit_follows_the_cpu() {
    network! { struct Net < 4 => 8 tanh => 3 softmax > }
    let net = Net::new(3);
    let Some(mut gpu) = on_gpu(&net) else { return };
    let (xs, ys) = samples::<4, 3>(90, Targets::OneHot, 6);
    let fit = nn::Fit {
        epochs: 30,
        batch_size: 16,
        seed: 5,
        patience: Some(3),
        validation_split: 0.2,
        quiet: true,
        ..nn::Fit::default()
    };
    let mut cpu = net.clone();
    let mut on_cpu = Trainer::new(Sgd::new(0.1, 0.5), CrossEntropy);
    let expected = on_cpu.fit(&mut cpu, (&xs, &ys), None, &fit).unwrap();
    let mut trainer = nn::gpu::Trainer::new(Sgd::new(0.1, 0.5), CrossEntropy);
    let history = trainer.fit(&mut gpu, (&xs, &ys), None, &fit).unwrap();
    assert_eq!(history.train.len(), expected.train.len());
    assert!(history.train.len() < 30, "early stopping stops");
    assert_eq!(history.best_epoch, expected.best_epoch);
    let pairs = history.validation.iter().zip(&expected.validation);
    for (gpu, cpu) in pairs.chain(history.train.iter().zip(&expected.train)) {
        assert!((gpu.loss - cpu.loss).abs() < 1e-5, "{gpu:?} {cpu:?}");
        assert_eq!(gpu.accuracy, cpu.accuracy);
    }
    // The best epoch's weights are restored, as on the CPU.
    assert!(relative(&flat(&gpu.to_cpu().unwrap()), &flat(&cpu)) < 1e-5);
    let with_checkpoint = nn::Fit {
        checkpoint: Some("never-written.safetensors".into()),
        ..fit
    };
    assert!(trainer
        .fit(&mut gpu, (&xs, &ys), None, &with_checkpoint)
        .is_err());
    assert!(!std::path::Path::new("never-written.safetensors").exists());
}

/// Digits trained on the GPU reach the CPU's test accuracy within half a point, from the same
/// seed, with validation and early stopping (as the `digits` example trains).
#[test]
fn digits_train_as_on_the_cpu() {
    use nn::data::{Scaler, Table};
    network! { struct Digits < 64 => 32 relu => 10 softmax > }
    let net = Digits::new(0);
    let Some(mut gpu) = on_gpu(&net) else { return };
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/digits.csv");
    let table = Table::read_csv(path, "digit").unwrap();
    let (train, test) = table.split(0.2, 0).unwrap();
    let (train, validation) = train.split(0.1, 0).unwrap();
    let scaler = Scaler::fit(&train).unwrap();
    let (x, y) = scaler.apply(&train).data().unwrap();
    let (vx, vy) = scaler.apply(&validation).data().unwrap();
    let (tx, ty) = scaler.apply(&test).data().unwrap();
    let fit = nn::Fit {
        epochs: 60,
        patience: Some(15),
        quiet: true,
        ..nn::Fit::default()
    };
    let validation = Some((&vx[..], &vy[..]));
    let mut cpu = net.clone();
    let mut on_cpu = Trainer::new(Adam::new(0.01), CrossEntropy);
    on_cpu.fit(&mut cpu, (&x, &y), validation, &fit).unwrap();
    let mut trainer = nn::gpu::Trainer::new(Adam::new(0.01), CrossEntropy);
    trainer.fit(&mut gpu, (&x, &y), validation, &fit).unwrap();
    let expected = nn::evaluate(&cpu, (&tx, &ty), CrossEntropy).accuracy;
    let accuracy = trainer.evaluate(&mut gpu, (&tx, &ty)).unwrap().accuracy;
    let back = nn::evaluate(&gpu.to_cpu().unwrap(), (&tx, &ty), CrossEntropy).accuracy;
    eprintln!("digits: test accuracy {accuracy} on the GPU, {expected} on the CPU");
    assert!((accuracy - expected).abs() <= 0.005);
    assert_eq!(accuracy, back);
}

/// An `f64` network and a batch of the wrong width are compile errors that say so.
#[test]
fn compile_errors() {
    trybuild::TestCases::new().compile_fail("tests/ui-gpu/*.rs");
}

/// With no GPU driver (the Vulkan loader pointed at none), `Gpu::new` is an `Err` that says
/// what to install, not a panic. The test runs itself again with the drivers hidden.
#[cfg(target_os = "linux")]
#[test]
fn no_adapter_says_what_to_install() {
    if std::env::var_os("NN_NO_GPU").is_some() {
        let error = Gpu::new(&Xor::new(0)).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("no adapter"), "{message}");
        assert!(message.contains("mesa-vulkan-drivers"), "{message}");
        return;
    }
    let test = "no_adapter_says_what_to_install";
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--test-threads", "1"])
        .env("NN_NO_GPU", "1")
        .env("VK_ICD_FILENAMES", "/nonexistent/icd.json")
        .env("VK_DRIVER_FILES", "/nonexistent/icd.json")
        .status()
        .unwrap();
    assert!(status.success());
}

/// `fit`'s settings as on the CPU: validation data given wins over `validation_split`, a split
/// that rounds to no sample holds none out, a batch size of 0 is an error, not a panic, and
/// early stopping counts only improvements by more than `min_delta`.
///
/// Mutations caught: `&&` for `||` in choosing to split, the guard on an empty split, `>=` for
/// `>` in the batch size's check, `<=` for `<` and `+` for `-` in early stopping's test.
#[test]
fn fit_settings_as_on_the_cpu() {
    network! { struct Net < 4 => 8 tanh => 3 softmax > }
    let net = Net::new(3);
    let Some(mut gpu) = on_gpu(&net) else { return };
    let (xs, ys) = samples::<4, 3>(60, Targets::OneHot, 6);
    let (vx, vy) = samples::<4, 3>(20, Targets::OneHot, 7);
    let validation = Some((&vx[..], &vy[..]));
    let fit = nn::Fit {
        epochs: 3,
        batch_size: 16,
        validation_split: 0.5,
        quiet: true,
        ..nn::Fit::default()
    };
    let mut trainer = nn::gpu::Trainer::new(Sgd::new(0.1, 0.0), CrossEntropy);
    let history = trainer.fit(&mut gpu, (&xs, &ys), validation, &fit).unwrap();
    let mut cpu = net.clone();
    let mut on_cpu = Trainer::new(Sgd::new(0.1, 0.0), CrossEntropy);
    let expected = on_cpu.fit(&mut cpu, (&xs, &ys), validation, &fit).unwrap();
    let trained = gpu.to_cpu().unwrap();
    assert!(relative(&flat(&trained), &flat(&cpu)) < 1e-5);
    let measured = nn::evaluate(&trained, (&vx, &vy), CrossEntropy).loss;
    assert!((history.validation[2].loss - measured).abs() < 1e-6);
    assert!((history.validation[2].loss - expected.validation[2].loss).abs() < 1e-5);

    gpu.upload(&net);
    let tiny = nn::Fit {
        validation_split: 0.001,
        ..fit.clone()
    };
    let history = trainer.fit(&mut gpu, (&xs, &ys), None, &tiny).unwrap();
    assert!(history.validation.is_empty());
    let zero = nn::Fit {
        batch_size: 0,
        ..fit.clone()
    };
    let refused = trainer.fit(&mut gpu, (&xs, &ys), None, &zero);
    assert_eq!(refused, Err(Error::ZeroBatch));

    // Early stopping: a loss that does not change is no improvement (lr 0: stops after
    // epochs 1 and 2), and an improvement must beat `min_delta`, as on the CPU.
    let still = nn::Fit {
        epochs: 10,
        patience: Some(2),
        validation_split: 0.0,
        ..fit
    };
    let mut frozen = nn::gpu::Trainer::new(Sgd::new(0.0, 0.0), CrossEntropy);
    let history = frozen.fit(&mut gpu, (&xs, &ys), None, &still).unwrap();
    assert_eq!(history.train.len(), 3);
    let demanding = nn::Fit {
        min_delta: 0.05,
        ..still
    };
    gpu.upload(&net);
    let history = trainer.fit(&mut gpu, (&xs, &ys), None, &demanding).unwrap();
    let mut cpu = net.clone();
    let expected = on_cpu.fit(&mut cpu, (&xs, &ys), None, &demanding).unwrap();
    assert_eq!(history.train.len(), expected.train.len());
    assert!(history.train.len() < 10);
}
