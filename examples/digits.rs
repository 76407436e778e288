//! The main example: handwritten digits, end to end.
//!
//! Splits the 1797 UCI digits (8×8 images, `examples/data/digits.csv`) 80/20, stratified, with a
//! fixed seed; holds out a tenth of the training part for early stopping; standardises the
//! pixels; trains `64 => 32 relu => 10 softmax` with Adam; prints the test accuracy, a confusion
//! matrix and the training time; saves the model (with the standardisation folded into its
//! first layer, so it takes raw pixels) to `target/models/`; and draws the loss
//! and accuracy curves.
//!
//! ```text
//! cargo run --release --example digits -- [--epochs N] [--seed N] [--out DIR]   # --help: all
//! ```
use clap::Parser;
use nn::data::{Scaler, Table};
use nn::prelude::*;
use nn::{Adam, CrossEntropy, Fit, Metrics, Trainer};
use plotters::prelude::*;
use std::{error::Error, path::PathBuf, process::ExitCode, time::Instant};

mod common;

network! {
    /// Classifies 8×8 images of handwritten digits (pixel counts 0 to 16, row by row).
    pub struct Digits < 64 => 32 relu => 10 softmax >
}

/// Trains a digit classifier on the UCI handwritten digits.
#[derive(Parser)]
struct Args {
    /// The most epochs to train (early stopping may end sooner).
    #[arg(long, default_value_t = 60)]
    epochs: usize,
    /// The seed of the split, the initial weights and the shuffles.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Adam's learning rate.
    #[arg(long, default_value_t = 0.01)]
    lr: f32,
    /// Stop after this many epochs without a better validation loss (0: never).
    #[arg(long, default_value_t = 15)]
    patience: usize,
    /// Where to write digits.safetensors and digits-training.svg (the shipped model that
    /// `classify` embeds is `examples/models/digits.safetensors`: copy it there to replace it).
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/../target/models"))]
    out: PathBuf,
    /// No progress bar.
    #[arg(long)]
    quiet: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    common::report(|| run(&args))
}

fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/digits.csv");
    let table = Table::read_csv(path, "digit")?;
    let (train, test) = table.split(0.2, args.seed)?;
    let (train, validation) = train.split(0.1, args.seed)?;
    let scaler = Scaler::fit(&train)?;
    let (x, y) = scaler.apply(&train).data()?;
    let (validation_x, validation_y) = scaler.apply(&validation).data()?;
    let (test_x, test_y) = scaler.apply(&test).data()?;

    let mut net = Digits::new(args.seed);
    println!("{}\n", net.summary());
    let mut trainer = Trainer::new(Adam::new(args.lr), CrossEntropy);
    let fit = Fit {
        epochs: args.epochs,
        batch_size: 32,
        seed: args.seed,
        patience: (args.patience > 0).then_some(args.patience),
        quiet: args.quiet,
        ..Fit::default()
    };
    let start = Instant::now();
    let validation = (&validation_x[..], &validation_y[..]);
    let history = trainer.fit(&mut net, (&x, &y), Some(validation), &fit)?;
    let seconds = start.elapsed().as_secs_f64();

    let Metrics { loss, accuracy } = nn::evaluate(&net, (&test_x, &test_y), CrossEntropy);
    let (ran, best) = (history.train.len(), history.best_epoch + 1);
    println!("trained {ran} epochs in {seconds:.2} s, kept the weights of epoch {best}");
    println!(
        "test: accuracy {:.2}% ({} images), loss {loss:.4}\n",
        accuracy * 100.0,
        test_x.len()
    );
    print_confusion(&net, &test_x, &test.labels);

    // The saved model takes raw pixels: the standardisation folds into the first layer.
    scaler.fold_into(&mut net)?;
    std::fs::create_dir_all(&args.out)?;
    let model = args.out.join("digits.safetensors");
    nn::save(&net, &model)?;
    println!("\nsaved the model to {}", model.display());
    let picture = args.out.join("digits-training.svg");
    plot(&history, &picture)?;
    println!("drew the training curves in {}", picture.display());
    Ok(())
}

/// Prints how often each digit (rows) was taken for each digit (columns).
fn print_confusion(net: &Digits, images: &[SVector<f32, 64>], labels: &[usize]) {
    let mut counts = [[0usize; 10]; 10];
    for (x, &label) in images.iter().zip(labels) {
        counts[label][net.forward(x).imax()] += 1;
    }
    println!("confusion matrix (rows: true digit, columns: predicted digit)");
    println!(
        "     {}",
        (0..10).map(|d| format!("{d:>4}")).collect::<String>()
    );
    for (digit, row) in counts.iter().enumerate() {
        let cells: String = row.iter().map(|&n| format!("{n:>4}")).collect();
        println!("{digit:>4} {cells}");
    }
}

/// Draws the loss and the accuracy per epoch, on the training and validation parts.
fn plot(history: &nn::History, path: &std::path::Path) -> Result<(), Box<dyn Error>> {
    let root = SVGBackend::new(path, (960, 400)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(480);
    let epochs = history.train.len() as f64;
    let series = [
        (&history.train, BLUE, "training"),
        (&history.validation, RED, "validation"),
    ];
    let all = || history.train.iter().chain(&history.validation);
    let max_loss = all().map(|m| m.loss).fold(0.0, f64::max) * 1.05;
    let min_accuracy = (all().map(|m| m.accuracy).fold(1.0, f64::min) * 10.0).floor() / 10.0;
    let loss: fn(&Metrics) -> f64 = |m| m.loss;
    let accuracy: fn(&Metrics) -> f64 = |m| m.accuracy;
    let panels = [
        (&left, "loss", 0.0..max_loss, loss),
        (&right, "accuracy", min_accuracy..1.005, accuracy),
    ];
    for (area, name, range, get) in panels {
        let mut chart = ChartBuilder::on(area)
            .caption(format!("{name} per epoch"), ("sans-serif", 20))
            .margin(15)
            .x_label_area_size(35)
            .y_label_area_size(50)
            .build_cartesian_2d(1.0..epochs.max(2.0), range)?;
        let mut mesh = chart.configure_mesh();
        mesh.x_desc("epoch")
            .y_desc(name)
            .x_label_formatter(&|x| format!("{x:.0}"));
        mesh.draw()?;
        for (log, color, label) in &series {
            let points = log
                .iter()
                .enumerate()
                .map(|(i, m)| (i as f64 + 1.0, get(m)));
            let style = color.stroke_width(2);
            let legend = move |(x, y)| PathElement::new([(x, y), (x + 20, y)], style);
            chart
                .draw_series(LineSeries::new(points, style))?
                .label(*label)
                .legend(legend);
        }
        chart
            .configure_series_labels()
            .background_style(WHITE)
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}
