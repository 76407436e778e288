//! Checkpoints (`Fit::checkpoint`): a run stopped after any epoch and started again ends with
//! exactly the weights and history of a run never stopped, for every optimizer, with
//! validation and early stopping; a checkpoint that does not fit is an `Err` that changes
//! nothing.
use core::ops::ControlFlow;
use nn::prelude::*;
use nn::{Adam, CrossEntropy, Error, Fit, History, LoadError, Optimizer, Sgd, State, Trainer};
use std::path::Path;

network! { struct Net < 4 => 8 tanh => 3 softmax > }
network! { struct Other < 4 => 5 tanh => 3 softmax > }

type Samples = (Vec<SVector<f32, 4>>, Vec<SVector<f32, 3>>);

/// Three noisy clusters.
fn data() -> Samples {
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for i in 0..90 {
        let class = i % 3;
        let noise = |k: usize| ((i * 7 + k * 13) % 11) as f32 / 11.0 - 0.5;
        xs.push(SVector::from_fn(|k, _| {
            (k == class) as u8 as f32 + noise(k)
        }));
        ys.push(SVector::from_fn(|k, _| (k == class) as u8 as f32));
    }
    (xs, ys)
}

fn settings(path: &Path) -> Fit {
    Fit {
        epochs: 12,
        batch_size: 16,
        seed: 3,
        patience: Some(4),
        validation_split: 0.2,
        quiet: true,
        checkpoint: Some(path.into()),
        ..Fit::default()
    }
}

/// Trains from `Net::new(1)`, stopping after `stop_after` epochs if given; returns the network
/// and the history.
fn train<Opt: Optimizer<Net> + State<Net>>(
    optimizer: Opt,
    fit: &Fit,
    stop_after: Option<usize>,
) -> Result<(Net, History), Error> {
    let (xs, ys) = data();
    let mut net = Net::new(1);
    let mut trainer = Trainer::new(optimizer, CrossEntropy);
    let each_epoch = |_: &Net, history: &History| match stop_after {
        Some(k) if history.train.len() == k => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    };
    let history = trainer.fit_with(&mut net, (&xs, &ys), None, fit, each_epoch)?;
    Ok((net, history))
}

fn bits(net: &Net) -> Vec<u32> {
    net.params().flatten().map(|w| w.to_bits()).collect()
}

/// Stops after each of several epochs, then resumes with a fresh network and optimizer.
fn resumes_exactly<Opt: Optimizer<Net> + State<Net>>(optimizer: impl Fn() -> Opt) {
    let dir = tempfile::tempdir().unwrap();
    let whole = settings(&dir.path().join("whole.ckpt"));
    let (expected, expected_history) = train(optimizer(), &whole, None).unwrap();
    assert!(expected_history.train.len() > 4, "trains for a while");
    for k in [1, 2, 5] {
        let fit = settings(&dir.path().join(format!("stopped-{k}.ckpt")));
        let (stopped, history) = train(optimizer(), &fit, Some(k)).unwrap();
        assert_eq!(history.train.len(), k);
        assert_ne!(bits(&stopped), bits(&expected));
        let (resumed, history) = train(optimizer(), &fit, None).unwrap();
        assert_eq!(bits(&resumed), bits(&expected), "stopped after epoch {k}");
        assert_eq!(history, expected_history, "stopped after epoch {k}");
    }
}

#[test]
fn sgd_with_momentum_resumes_bit_for_bit() {
    resumes_exactly(|| Sgd::new(0.1, 0.9));
}

#[test]
fn plain_sgd_resumes_bit_for_bit() {
    resumes_exactly(|| Sgd::new(0.2, 0.0));
}

#[test]
fn adam_resumes_bit_for_bit() {
    resumes_exactly(|| Adam::new(0.01));
}

#[test]
fn adamw_resumes_bit_for_bit() {
    resumes_exactly(|| Adam::adamw(0.01, 0.1));
}

/// Plain gradient descent: an optimizer of the user's, with no state.
struct Descent;

impl Optimizer<Net> for Descent {
    fn step(&mut self, net: &mut Net, grads: &Net) -> Result<(), Error> {
        for (w, g) in net.params_mut().zip(grads.params()) {
            w.iter_mut().zip(g).for_each(|(w, g)| *w -= 0.1 * g);
        }
        Ok(())
    }
}

impl State<Net> for Descent {}

#[test]
fn an_optimizer_without_state_resumes_and_stores_none() {
    resumes_exactly(|| Descent);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("descent.ckpt");
    let fit = Fit {
        epochs: 3,
        patience: None,
        ..settings(&path)
    };
    train(Descent, &fit, None).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let file = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    // The counters, the history (3 epochs, with validation) and two networks: nothing more.
    let expected = 5 + 2 * 3 * 2 + 2 * Net::PARAMS;
    assert_eq!(file.tensor("state").unwrap().shape(), [expected]);
}

#[test]
fn a_finished_run_started_again_returns_at_once_with_its_result() {
    let dir = tempfile::tempdir().unwrap();
    let fit = Fit {
        patience: Some(1),
        min_delta: 0.5,
        ..settings(&dir.path().join("run.ckpt"))
    };
    let (first, history) = train(Adam::new(0.01), &fit, None).unwrap();
    assert!(history.train.len() < fit.epochs, "early stopping ended it");
    let before = std::fs::read(fit.checkpoint.as_ref().unwrap()).unwrap();
    let (again, again_history) = train(Adam::new(0.01), &fit, None).unwrap();
    assert_eq!(bits(&again), bits(&first));
    assert_eq!(again_history, history);
    let after = std::fs::read(fit.checkpoint.as_ref().unwrap()).unwrap();
    assert_eq!(before, after, "nothing trained, nothing saved");
}

#[test]
fn a_checkpoint_holds_the_state_after_every_epoch() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.ckpt");
    let fit = Fit {
        patience: None,
        epochs: 3,
        ..settings(&path)
    };
    let (net, _) = train(Sgd::new(0.1, 0.9), &fit, None).unwrap();
    // Three more epochs from it continue where it stopped: not from scratch.
    let more = Fit { epochs: 6, ..fit };
    let (continued, history) = train(Sgd::new(0.1, 0.9), &more, None).unwrap();
    assert_eq!(history.train.len(), 6);
    let (_, scratch) = train(
        Sgd::new(0.1, 0.9),
        &Fit {
            checkpoint: None,
            ..more
        },
        None,
    )
    .unwrap();
    assert_eq!(history, scratch);
    assert_ne!(bits(&continued), bits(&net));
}

/// Loads `bytes` as the checkpoint of a run of `Net` with `optimizer`: the error, and whether
/// the network was left as it was.
fn load_error<Opt: Optimizer<Net> + State<Net>>(bytes: &[u8], optimizer: Opt) -> Error {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.ckpt");
    std::fs::write(&path, bytes).unwrap();
    let (xs, ys) = data();
    let mut net = Net::new(7);
    let mut trainer = Trainer::new(optimizer, CrossEntropy);
    let error = trainer.fit(&mut net, (&xs, &ys), None, &settings(&path));
    assert_eq!(
        net,
        Net::new(7),
        "a checkpoint that does not load changes nothing"
    );
    assert_eq!(
        std::fs::read(&path).unwrap(),
        bytes,
        "nor overwrites the file"
    );
    error.unwrap_err()
}

/// A checkpoint of a short run of `Net` with Adam.
fn adam_checkpoint() -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("adam.ckpt");
    let fit = Fit {
        epochs: 2,
        ..settings(&path)
    };
    train(Adam::new(0.01), &fit, None).unwrap();
    std::fs::read(path).unwrap()
}

#[test]
fn a_checkpoint_of_another_optimizer_or_network_is_refused() {
    let adam = adam_checkpoint();
    let sgd = load_error(&adam, Sgd::new(0.1, 0.9));
    assert!(matches!(sgd, Error::Load(LoadError::Shape(..))), "{sgd}");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.ckpt");
    let (xs, ys) = data();
    let mut other = Other::new(0);
    let mut trainer = Trainer::new(Adam::new(0.01), CrossEntropy);
    let fit = Fit {
        epochs: 1,
        ..settings(&path)
    };
    trainer.fit(&mut other, (&xs, &ys), None, &fit).unwrap();
    let error = load_error(&std::fs::read(&path).unwrap(), Adam::new(0.01));
    assert!(
        matches!(error, Error::Load(LoadError::Shape(..))),
        "{error}"
    );
}

#[test]
fn a_damaged_checkpoint_is_refused() {
    let adam = adam_checkpoint();
    for cut in [0, 7, 100, adam.len() - 1] {
        let error = load_error(&adam[..cut], Adam::new(0.01));
        assert!(
            matches!(error, Error::Load(LoadError::Format(_))),
            "{error}"
        );
    }
    // A NaN where a weight was.
    let mut nan = adam.clone();
    let at = nan.len() - 8;
    nan[at..].copy_from_slice(&f64::NAN.to_le_bytes());
    let error = load_error(&nan, Adam::new(0.01));
    assert_eq!(error, Error::Load(LoadError::NonFinite("state".into())));
    // A count of epochs that does not match the history stored.
    let mut epochs = adam.clone();
    let header = u64::from_le_bytes(adam[..8].try_into().unwrap()) as usize;
    let first = 8 + header;
    epochs[first..first + 8].copy_from_slice(&1e18f64.to_le_bytes());
    let error = load_error(&epochs, Adam::new(0.01));
    assert!(
        matches!(error, Error::Load(LoadError::Shape(..))),
        "{error}"
    );
}

#[test]
fn a_checkpoint_that_cannot_be_written_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no such folder").join("run.ckpt");
    let error = train(Adam::new(0.01), &settings(&path), None).unwrap_err();
    assert!(
        matches!(&error, Error::Io(p, _) if p.contains("no such folder")),
        "{error}"
    );
}
