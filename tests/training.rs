//! Training: it learns XOR and iris, it is reproducible, the optimizers follow PyTorch's update
//! rules, and bad input gives an `Err` with the last good weights kept.
use nn::data::{Scaler, Table};
use nn::prelude::*;
use nn::{Adam, BinaryCrossEntropy, CrossEntropy, Error, Fit, Mse, Optimizer, Sgd, Trainer};

network! { struct Xor < 2 => 8 tanh => 1 sigmoid > }
network! { struct Iris < 4 => 16 relu => 3 softmax > }
network! { struct Line: f64 < 1 => 1 linear > }

/// Fisher's iris: 150 flowers, 4 measurements, 3 classes.
fn iris() -> Table {
    Table::read_csv("examples/data/iris.csv", "species").expect("iris")
}

fn xor_data() -> (Vec<SVector<f32, 2>>, Vec<SVector<f32, 1>>) {
    let xs = [[0., 0.], [0., 1.], [1., 0.], [1., 1.]]
        .map(SVector::from)
        .to_vec();
    let ys = [[0.], [1.], [1.], [0.]].map(SVector::from).to_vec();
    (xs, ys)
}

fn quiet(epochs: usize, batch_size: usize) -> Fit {
    Fit {
        quiet: true,
        epochs,
        batch_size,
        ..Fit::default()
    }
}

#[test]
fn xor_is_learned_from_at_least_9_of_10_seeds() {
    let (xs, ys) = xor_data();
    let solved = (0..10)
        .filter(|&seed| {
            let mut net = Xor::new(seed);
            let mut trainer = Trainer::new(Adam::new(0.05), BinaryCrossEntropy);
            let fit = Fit {
                seed,
                ..quiet(300, 4)
            };
            let history = trainer
                .fit(&mut net, (&xs, &ys), None, &fit)
                .expect("finite");
            history.train.last().is_some_and(|m| m.accuracy == 1.0)
        })
        .count();
    assert!(solved >= 9, "{solved} of 10 seeds");
}

#[test]
fn iris_reaches_93_percent_on_a_stratified_split() {
    let (train, test) = iris().split(0.2, 0).expect("splits");
    let scaler = Scaler::fit(&train).expect("a table");
    let (x, y) = scaler.apply(&train).data().expect("4 features, 3 classes");
    let (test_x, test_y) = scaler.apply(&test).data().expect("4 features, 3 classes");
    assert_eq!((x.len(), test_x.len()), (120, 30));
    let mut net = Iris::new(0);
    let mut trainer = Trainer::new(Adam::new(0.01), CrossEntropy);
    trainer
        .fit(&mut net, (&x, &y), None, &quiet(100, 16))
        .expect("finite");
    let m = nn::evaluate(&net, (&test_x, &test_y), CrossEntropy);
    assert!(m.accuracy >= 0.93, "test accuracy {}", m.accuracy);
}

#[test]
fn same_seed_same_result() {
    let (xs, ys) = xor_data();
    let run = |seed| {
        let mut net = Xor::new(1);
        let fit = Fit {
            seed,
            ..quiet(20, 2)
        };
        Trainer::new(Sgd::new(0.1, 0.9), Mse)
            .fit(&mut net, (&xs, &ys), None, &fit)
            .expect("finite");
        net
    };
    assert_eq!(run(3), run(3));
    assert_ne!(run(3), run(4));
}

#[test]
fn early_stopping_restores_the_best_weights() {
    let (xs, ys) = xor_data();
    let mut net = Xor::new(2);
    // A learning rate this large makes the validation loss worse after its first epochs.
    let mut trainer = Trainer::new(Sgd::new(50.0, 0.0), BinaryCrossEntropy);
    let fit = Fit {
        patience: Some(3),
        ..quiet(200, 1)
    };
    let h = trainer
        .fit(&mut net, (&xs, &ys), Some((&xs, &ys)), &fit)
        .expect("finite");
    assert!(h.validation.len() < 200, "stopped early");
    assert_eq!(h.validation.len(), h.best_epoch + 4);
    let best = h.validation[h.best_epoch].loss;
    assert!(h.validation.iter().all(|m| m.loss >= best));
    let now = nn::evaluate(&net, (&xs, &ys), BinaryCrossEntropy).loss;
    assert!((now - best).abs() < 1e-6, "{now} vs {best}");
}

#[test]
fn sgd_with_momentum_follows_pytorch() {
    // w -= lr·v with v = μ·v + g; for L = (w·1 - 0)², g = 2w. Two plain steps first: plain
    // SGD keeps no velocity, so, as in PyTorch, the first step with momentum starts at v = g.
    let mut net = Line::default();
    net.l1.weight[0] = 1.0;
    let mut grads = Line::default();
    let mut opt = Sgd::new(0.1, 0.0);
    let lr = 0.1;
    let mut w = 1.0f64;
    let mut v = 0.0f64;
    for mu in [0.0, 0.0, 0.9, 0.9, 0.9] {
        opt.momentum = mu;
        grads.l1.weight[0] = 2.0 * net.l1.weight[0];
        opt.step(&mut net, &grads).expect("finite");
        if mu == 0.0 {
            w -= lr * 2.0 * w;
        } else {
            v = mu * v + 2.0 * w;
            w -= lr * v;
        }
        assert!((net.l1.weight[0] - w).abs() < 1e-15);
    }
}

#[test]
fn adam_and_adamw_follow_pytorch() {
    // The update rules of `torch.optim.Adam` and `AdamW`, written out; Adam's first step moves
    // a weight by lr·sign(g) whatever the gradient's size, so w = 1 goes to 0.9.
    for wd in [0.0, 0.1] {
        let mut net = Line::default();
        net.l1.weight[0] = 1.0;
        let mut opt = Adam::adamw(0.1, wd);
        let (mut w, mut m, mut v) = (1.0f64, 0.0, 0.0);
        for (t, g) in (1..).zip([0.5, -0.3, 0.2]) {
            let mut grads = Line::default();
            grads.l1.weight[0] = g;
            opt.step(&mut net, &grads).expect("finite");
            w -= 0.1 * wd * w;
            m = 0.9 * m + 0.1 * g;
            v = 0.999 * v + 0.001 * g * g;
            let (mh, vh) = (m / (1.0 - 0.9f64.powi(t)), v / (1.0 - 0.999f64.powi(t)));
            w -= 0.1 * mh / (vh.sqrt() + 1e-8);
            assert!((net.l1.weight[0] - w).abs() < 1e-12, "step {t}");
            if t == 1 && wd == 0.0 {
                assert!((w - 0.9).abs() < 1e-7);
            }
        }
    }
    assert_eq!(Adam::<Line>::new(0.1), Adam::adamw(0.1, 0.0));
}

#[test]
fn bad_input_is_an_error() {
    let (xs, ys) = xor_data();
    let mut net = Xor::new(0);
    let mut trainer = Trainer::new(Adam::new(0.01), BinaryCrossEntropy);
    let fit = quiet(1, 2);
    assert_eq!(
        trainer.fit(&mut net, (&[], &[]), None, &fit),
        Err(Error::EmptyData)
    );
    let err = trainer.fit(&mut net, (&xs, &ys[..3]), None, &fit);
    assert_eq!(err, Err(Error::LengthMismatch(4, 3)));
    let err = trainer.fit(&mut net, (&xs, &ys), Some((&xs[..1], &ys)), &fit);
    assert_eq!(err, Err(Error::LengthMismatch(1, 4)));
    let err = trainer.fit(&mut net, (&xs, &ys), None, &quiet(1, 0));
    assert_eq!(err, Err(Error::ZeroBatch));
    assert_eq!(net, Xor::new(0), "nothing trained");
}

#[test]
fn the_default_fit_trains_one_epoch_as_keras_does() {
    let (xs, ys) = xor_data();
    let mut net = Xor::new(0);
    let mut trainer = Trainer::new(Adam::new(0.01), BinaryCrossEntropy);
    let fit = nn::Fit {
        quiet: true,
        ..nn::Fit::default()
    };
    let history = trainer.fit(&mut net, (&xs, &ys), None, &fit).unwrap();
    assert_eq!(history.train.len(), 1);
    assert_eq!(trainer.optimizer.t, 1, "one minibatch of up to 32 samples");
    assert_ne!(net, Xor::new(0));
}

#[test]
fn nan_in_an_input_stops_training_and_keeps_the_weights() {
    let (mut xs, ys) = xor_data();
    xs.extend(vec![SVector::from([0.0, 0.0]); 4]);
    xs[6][1] = f32::NAN;
    let ys = [ys.clone(), ys].concat();
    let mut net = Xor::new(0);
    let mut trainer = Trainer::new(Adam::new(0.01), BinaryCrossEntropy);
    let fit = Fit {
        seed: 9,
        ..quiet(5, 8)
    };
    let err = trainer.fit(&mut net, (&xs, &ys), None, &fit);
    assert_eq!(err, Err(Error::NonFinite("sample", 0, 0)));
    assert_eq!(net, Xor::new(0));
}

#[test]
fn a_diverging_loss_stops_training_with_the_last_good_weights() {
    let xs = vec![SVector::from([1.0]); 4];
    let ys = vec![SVector::from([1.0]); 4];
    let mut net = Line::new(0);
    // Plain SGD with a huge learning rate on MSE overflows within a few steps.
    let mut trainer = Trainer::new(Sgd::new(1e30, 0.0), Mse);
    let Err(Error::NonFinite(what, epoch, batch)) =
        trainer.fit(&mut net, (&xs, &ys), None, &quiet(50, 1))
    else {
        panic!("expected a non-finite error");
    };
    assert!(["loss", "gradient", "weights"].contains(&what), "{what}");
    assert!(epoch < 50 && batch < 4);
    assert!(net.is_finite(), "{net:?}");
}

#[test]
fn one_step_on_one_batch() {
    let (xs, ys) = xor_data();
    let mut net = Xor::new(0);
    let mut trainer = Trainer::new(Sgd::new(0.5, 0.0), BinaryCrossEntropy);
    let before = nn::evaluate(&net, (&xs, &ys), BinaryCrossEntropy).loss;
    let loss = trainer.step(&mut net, (&xs, &ys)).expect("finite");
    assert!(
        (f64::from(loss) - before).abs() < 1e-6,
        "the step reports the mean loss before it"
    );
    let after = nn::evaluate(&net, (&xs, &ys), BinaryCrossEntropy).loss;
    assert!(after < before);
    assert_eq!(trainer.step(&mut net, (&[], &[])), Err(Error::EmptyData));
}

/// NaN in the validation data is an error before training, not a silent reset to the
/// initial weights by early stopping (a NaN loss never improves).
#[test]
fn nan_in_the_validation_data_is_an_error() {
    let (xs, ys) = xor_data();
    let mut bad = xs.clone();
    bad[2][1] = f32::NAN;
    let mut net = Xor::new(1);
    let before = net.clone();
    let mut trainer = Trainer::new(Adam::new(0.05), BinaryCrossEntropy);
    let fit = Fit {
        patience: Some(2),
        ..quiet(20, 4)
    };
    let result = trainer.fit(&mut net, (&xs, &ys), Some((&bad, &ys)), &fit);
    assert_eq!(result, Err(Error::NonFinite("validation sample", 0, 0)));
    assert_eq!(net, before);
}

/// `min_delta`: an improvement smaller than it does not count, so training stops after
/// `patience` epochs and keeps the first epoch's weights.
#[test]
fn min_delta_decides_what_counts_as_an_improvement() {
    let (xs, ys) = xor_data();
    let mut trainer = Trainer::new(Adam::new(0.05), BinaryCrossEntropy);
    let fit = Fit {
        patience: Some(3),
        min_delta: 10.0,
        ..quiet(50, 4)
    };
    let history = trainer.fit(&mut Xor::new(1), (&xs, &ys), None, &fit);
    let history = history.expect("finite");
    assert_eq!((history.train.len(), history.best_epoch), (4, 0));
    let fit = Fit {
        min_delta: 0.0,
        ..fit
    };
    let history = trainer.fit(&mut Xor::new(1), (&xs, &ys), None, &fit);
    assert!(history.expect("finite").train.len() > 4);
}

/// Adam's step counter cannot overflow: past 2³¹ steps it still updates the weights.
#[test]
fn adam_counts_steps_past_i32() {
    let mut net = Line::default();
    net.l1.weight[0] = 1.0;
    let mut grads = Line::default();
    grads.l1.weight[0] = 0.5;
    let mut adam = Adam::new(0.1);
    adam.t = u64::from(u32::MAX);
    adam.step(&mut net, &grads).expect("finite");
    assert_eq!(adam.t, u64::from(u32::MAX) + 1);
    let w = net.l1.weight[0];
    assert!(w.is_finite() && w < 1.0, "{w}");
}

/// A step the optimizer refuses (its update would overflow) leaves the network and the
/// optimizer's state (SGD's velocity; Adam's moments and step count) exactly as they were.
/// Mutations caught: the optimizer writing before it checks; Adam counting the refused step.
fn refused<O>(optimizer: O, huge: impl Fn(&mut O))
where
    O: Optimizer<Line> + Clone + PartialEq + std::fmt::Debug,
{
    let xs = [SVector::from([1.0])];
    let ys = [SVector::from([10.0])];
    let mut net = Line::new(3);
    let mut trainer = Trainer::new(optimizer, Mse);
    trainer.step(&mut net, (&xs, &ys)).expect("a good step");
    huge(&mut trainer.optimizer);
    let (net_before, optimizer_before) = (net.clone(), trainer.optimizer.clone());
    let result = trainer.step(&mut net, (&xs, &ys));
    assert_eq!(result, Err(Error::NonFinite("weights", 0, 0)));
    assert_eq!(net, net_before);
    assert_eq!(trainer.optimizer, optimizer_before);
}

#[test]
fn a_refused_step_changes_nothing() {
    refused(Sgd::new(0.01, 0.9), |o| o.lr = 1e308);
    refused(Sgd::new(0.01, 0.0), |o| o.lr = 1e308);
    refused(Adam::new(0.01), |o| o.lr = f64::INFINITY);
}

/// An optimizer of the user's that writes NaN anyway: the trainer restores the weights.
/// Mutation caught: the trainer not rolling back non-finite weights after a step.
#[test]
fn an_optimizer_that_writes_nan_leaves_the_network_as_it_was() {
    struct Broken;
    impl Optimizer<Xor> for Broken {
        fn step(&mut self, net: &mut Xor, _: &Xor) -> Result<(), Error> {
            net.l2.bias[0] = f32::NAN;
            Ok(())
        }
    }
    let (xs, ys) = xor_data();
    let mut net = Xor::new(4);
    let mut trainer = Trainer::new(Broken, BinaryCrossEntropy);
    let result = trainer.step(&mut net, (&xs, &ys));
    assert_eq!(result, Err(Error::NonFinite("weights", 0, 0)));
    assert_eq!(net, Xor::new(4));
}

/// `validation_split` holds out a seeded fraction of the training data as validation data,
/// when `fit` is given none. Mutations caught: the held-out samples also trained on; the
/// fraction ignored; the split not seeded.
#[test]
fn validation_split_holds_out_a_seeded_fraction() {
    let data = iris().data().expect("4 features, 3 classes");
    let (xs, ys) = (&data.0[..], &data.1[..]);
    let run = |split: f64, seed: u64, validation: Option<nn::Data<'_, f32, 4, 3>>| {
        let mut net = Iris::new(0);
        let mut trainer = Trainer::new(Adam::new(0.01), CrossEntropy);
        let fit = Fit {
            validation_split: split,
            seed,
            ..quiet(3, 16)
        };
        let history = trainer.fit(&mut net, (xs, ys), validation, &fit);
        (history, net)
    };
    let (history, net) = run(0.2, 1, None);
    let history = history.expect("trains");
    assert_eq!(history.validation.len(), 3);
    // The validation loss is measured on 30 held-out samples: some 30 of the 150 give it.
    let last = history.validation[2].loss;
    let whole = nn::evaluate(&net, (xs, ys), CrossEntropy).loss;
    assert!(
        (last - whole).abs() > 1e-9,
        "measured on a part, not on all"
    );
    assert_eq!(run(0.2, 1, None).0.expect("trains"), history, "seeded");
    assert_ne!(
        run(0.2, 2, None).0.expect("trains"),
        history,
        "another seed"
    );
    let none = run(0.001, 1, None).0.expect("trains");
    assert!(none.validation.is_empty(), "0.15 samples round to none");
    assert_eq!(run(1.0, 1, None).0, Err(Error::EmptyData));
    let given = run(0.5, 1, Some((&xs[..10], &ys[..10]))).0.expect("trains");
    assert_eq!(
        given,
        run(0.0, 1, Some((&xs[..10], &ys[..10]))).0.expect("trains")
    );
}

network! { struct Chain < 1 => 1 relu => 1 linear > }

/// A gradient that overflows while the loss is finite is refused as such, before the
/// optimizer runs: the first layer's weights see the input 1e30 times the error 2e20.
/// Mutation caught: the gradient's finiteness folded with `|=` (never false).
#[test]
fn an_overflowing_gradient_is_named() {
    let mut net = Chain::default();
    net.l1.bias[0] = 1.0;
    net.l2.weight[0] = 1e10;
    let before = net.clone();
    let (x, y) = ([SVector::from([1e30f32])], [SVector::from([0.0])]);
    let mut trainer = Trainer::new(Sgd::new(0.1, 0.0), Mse);
    assert_eq!(
        trainer.step(&mut net, (&x, &y)),
        Err(Error::NonFinite("gradient", 0, 0))
    );
    assert_eq!(net, before);
}

/// A loss that stays exactly the same is no improvement: with a learning rate of 0, early
/// stopping ends training `patience` epochs after the first. Mutation caught: `<` as `<=` in
/// the comparison with the best loss.
#[test]
fn an_equal_loss_is_no_improvement() {
    let (xs, ys) = xor_data();
    let mut net = Xor::new(2);
    let mut trainer = Trainer::new(Sgd::new(0.0, 0.0), BinaryCrossEntropy);
    let fit = Fit {
        patience: Some(2),
        ..quiet(10, 4)
    };
    let history = trainer
        .fit(&mut net, (&xs, &ys), None, &fit)
        .expect("trains");
    assert_eq!((history.train.len(), history.best_epoch), (3, 0));
}

/// Accuracy of a single-output network: a sample counts as right when the output and the
/// target are on the same side of 0.5. Mutations caught: the single-output rule dropped (the
/// index of the largest of one output is always 0); its comparison reversed; the last of
/// equal largest outputs taken.
#[test]
fn a_single_output_is_classified_by_its_side_of_one_half() {
    assert_eq!(nn::class(&[0.7f32]), 1);
    assert_eq!(nn::class(&[0.5f32]), 1);
    assert_eq!(nn::class(&[0.3f32]), 0);
    // Of equal largest outputs, the first, as PyTorch's `argmax` and nalgebra's `imax`.
    assert_eq!(nn::class(&[0.4f32, 0.4, 0.2]), 0);
    let mut net = Line::default();
    net.l1.bias[0] = 0.8; // outputs 0.8 for every input
    let xs = [SVector::from([0.0]), SVector::from([1.0])];
    let ys = [SVector::from([1.0]), SVector::from([0.0])];
    assert_eq!(nn::evaluate(&net, (&xs, &ys), Mse).accuracy, 0.5);
}

network! { struct Wide < 784 => 128 relu => 10 softmax > }
network! { struct Wide64: f64 < 784 => 128 relu => 10 softmax > }

/// `Model::new` computes in the network's scalar: each weight is `limit·(2u - 1)` for `u` of 53
/// random bits, within 2 ulps of `limit` of the same formula in `f64` (for a weight near 0 that
/// is many of its own ulps: the same uniform distribution), He's limit for relu and Glorot's for
/// softmax. Mutations caught: the limit's fan, the 53 bits' shift, the scale's factor of 2.
#[test]
fn initialisation_is_the_f64_formula_in_the_networks_scalar() {
    fn check<N: Model>(seed: u64, ulps: f64) {
        use rand::{rngs::Xoshiro256PlusPlus, RngExt, SeedableRng};
        let net = N::new(seed);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        for (w, layer) in net.params().step_by(2).zip(N::LAYERS) {
            let fan = match layer.init {
                nn::Init::He => layer.inputs,
                nn::Init::Glorot => layer.inputs + layer.outputs,
            };
            let limit = (6.0 / fan as f64).sqrt();
            let tolerance = ulps * limit * f64::from(f32::EPSILON);
            for &w in w {
                let expected = limit * (2.0 * rng.random::<f64>() - 1.0);
                let w = nn::Float::to_f64(w);
                assert!((w - expected).abs() <= tolerance, "{w} against {expected}");
                assert!(w.abs() <= limit);
            }
        }
    }
    for seed in 0..3 {
        check::<Wide>(seed, 2.0);
        // In f64, the same formula up to f64's rounding.
        check::<Wide64>(seed, 1e-8);
    }
}
