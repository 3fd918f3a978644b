"""Hyperparameters of the autoencoder family: one frozen dataclass, presets and experiments.

Field names are URL query-parameter names (``?variant=vae&latent_dim=2&beta=4``).
"""
from __future__ import annotations

from dataclasses import dataclass

from core.config import Config, Preset, param, shorten

__all__ = ["AEConfig", "PRESETS", "EXPERIMENTS", "parse_hidden", "DATA_DIMS"]

#: input dimension of each dataset (8x8 digit images, 3-D swiss roll points)
DATA_DIMS = {"digits": 64, "swiss_roll": 3}
HIDDEN_MIN, HIDDEN_MAX, HIDDEN_LAYERS_MAX = 4, 512, 3
HIDDEN_TEXT_MAX = 40  # "512, 512, 512" is 13 characters


def parse_hidden(text: str) -> tuple[tuple[int, ...], str | None]:
    """Parse hidden sizes such as ``"128,64"``: (sizes, None) or ((), problem in plain words).

    >>> parse_hidden("128, 64")
    ((128, 64), None)
    >>> parse_hidden("12,,x")[1]
    "Hidden sizes '12,,x' must be 1 to 3 whole numbers separated by commas, such as 128,64."
    """
    example = "such as 128,64"
    text = str(text)
    if len(text) > HIDDEN_TEXT_MAX:
        return (), (f"Hidden sizes {shorten(text, 20)} is too long: give 1 to "
                    f"{HIDDEN_LAYERS_MAX} whole numbers separated by commas, {example}.")
    parts = [p.strip() for p in text.split(",")]
    if not 1 <= len(parts) <= HIDDEN_LAYERS_MAX or not all(p.isdigit() for p in parts):
        if all(p.isdigit() for p in parts) and len(parts) > HIDDEN_LAYERS_MAX:
            return (), (f"Hidden sizes {shorten(text)} has {len(parts)} layers; at most "
                        f"{HIDDEN_LAYERS_MAX} are allowed: drop some, {example}.")
        return (), (f"Hidden sizes {shorten(text)} must be 1 to {HIDDEN_LAYERS_MAX} whole numbers "
                    f"separated by commas, {example}.")
    # a part longer than 6 digits is out of range anyway (and int() of thousands is refused)
    sizes = tuple(int(p) if len(p) <= 6 else HIDDEN_MAX + 1 for p in parts)
    bad = [p if len(p) <= 8 else p[:6] + "…" for p, s in zip(parts, sizes)
           if not HIDDEN_MIN <= s <= HIDDEN_MAX]
    if bad:
        return (), (f"Hidden sizes {shorten(text)}: each layer needs {HIDDEN_MIN} to {HIDDEN_MAX} units, "
                    f"not {', '.join(bad)}.")
    return sizes, None


@dataclass(frozen=True)
class AEConfig(Config):
    """Settings of an autoencoder run (AE, denoising AE or VAE) on digits or a swiss roll."""

    dataset: str = param(
        "digits", label="Dataset", group="Data", choices=("digits", "swiss_roll"),
        help="digits: 1,797 8x8 handwritten digits (scikit-learn's bundled copy). swiss_roll: "
             "2,000 points on a rolled-up 2-D sheet in 3-D, coloured by position along the roll.")
    variant: str = param(
        "vae", label="Variant", choices=("ae", "dae", "vae"),
        help="ae: plain autoencoder. dae: denoising autoencoder (corrupt the input, rebuild the "
             "clean one). vae: variational autoencoder (encode a distribution, sample, add KL).")
    latent_dim: int = param(
        2, label="Latent size", min=2, max=16, step=1,
        help="Width of the bottleneck z. 2 can be drawn directly; larger latents are shown "
             "through PCA (or t-SNE on demand).")
    hidden: str = param(
        "256", label="Hidden sizes",
        help="Encoder layer widths, comma separated (1 to 3 layers, each 4 to 512), e.g. 256 or "
             "128,64. The decoder mirrors them. One wide layer (as in Kingma & Welling's VAE) "
             "trains fastest here; deeper stacks take more steps on these small digits.")
    activation: str = param(
        "relu", label="Activation", choices=("relu", "leaky_relu", "elu", "tanh", "silu"),
        help="Nonlinearity between hidden layers of encoder and decoder.")
    lr: float = param(
        4e-3, label="Learning rate", group="Training", min=1e-5, max=3.0, step=1e-4,
        scale="log", live=True, above_max="default",
        help="Adam step size. About 1e-3 to 1e-2 trains quickly; 1 or more diverges.")
    batch_size: int = param(
        64, label="Batch size", group="Training", min=8, max=512, step=8,
        help="Examples per training step.")
    beta: float = param(
        1.0, label="β (KL weight)", min=0.0, max=10.0, step=0.1, live=True,
        visible_if={"variant": ("vae",)},
        help="Weight of the KL term (β-VAE). 0: no prior, σ shrinks towards 0 and the codes "
             "become deterministic (a plain autoencoder); 1: the ELBO; larger: a smoother latent "
             "and blurrier reconstructions, until (from about 3 with a 2-D latent on digits) "
             "the code is given up: posterior collapse.")
    noise_type: str = param(
        "gaussian", label="Noise type", choices=("gaussian", "masking"), live=True,
        visible_if={"variant": ("dae",)},
        help="gaussian: add N(0, level²) to each input, then clamp pixels to [0, 1] (so the "
             "white background, value 0, only ever turns grey). masking: set each input to 0 "
             "(white) with probability level.")
    noise_level: float = param(
        0.3, label="Noise level", min=0.0, max=0.9, step=0.05, live=True,
        visible_if={"variant": ("dae",)},
        help="Corruption strength: standard deviation (gaussian) or drop probability (masking).")

    @property
    def hidden_sizes(self) -> tuple[int, ...]:
        """Parsed ``hidden``; raises ValueError with the plain-words problem if malformed."""
        sizes, problem = parse_hidden(self.hidden)
        if problem:
            raise ValueError(problem)
        return sizes

    def problems(self) -> list[str]:
        out = []
        _, hp = parse_hidden(self.hidden)
        if hp:
            out.append(hp)
        if self.dataset == "swiss_roll" and self.latent_dim > 3:
            out.append(f"Latent size {self.latent_dim} is larger than the swiss roll's 3 input "
                       "dimensions, so nothing has to be compressed: pick latent size 2 "
                       "(the sheet's true dimension) or 3.")
        if self.dataset == "swiss_roll" and self.variant == "dae" and self.noise_type == "masking":
            out.append("Masking noise zeroes coordinates of a 3-D point, which moves it far off "
                       "the roll: use gaussian noise on the swiss roll, or switch to digits.")
        return out


PRESETS = [
    Preset("default", {}),
    Preset("tiny", {"variant": "ae", "hidden": "32", "latent_dim": 2, "batch_size": 32}),
    Preset("autoencoder 8-D", {"variant": "ae", "latent_dim": 8}),
    Preset("denoising", {"variant": "dae", "latent_dim": 8, "noise_type": "gaussian",
                         "noise_level": 0.4}),
    Preset("β-VAE (β = 4)", {"variant": "vae", "beta": 4.0}),
    Preset("swiss roll", {"dataset": "swiss_roll", "variant": "vae", "latent_dim": 2}),
]

#: where each experiment's promise is checked
CLAIMS = "tests/test_experiment_claims.py::"

EXPERIMENTS = [
    Preset("β = 0: a VAE without its prior", {"variant": "vae", "latent_dim": 2, "beta": 0.0},
           question="What does the KL term do to the latent space?",
           watch="With β = 0 the KL is still drawn but no longer paid for: after 1,500 steps "
                 "(seed 0) it is at 12-25 nats (2-3.2 at β = 1), the encoder's median σ is "
                 "below 0.02 (deterministic codes) and the classes spread to more than twice the prior's "
                 "width, so the manifold grid (drawn over the prior's quantiles) covers only "
                 "the middle of the cloud. Compare with β = 1 and then β = 4.",
           test=CLAIMS + "test_ae_beta_zero_codes_turn_deterministic_and_spread"),
    Preset("β = 4: a strong prior", {"variant": "vae", "latent_dim": 2, "beta": 4.0},
           question="What happens when every nat the code carries costs four nats of "
                    "reconstruction?",
           watch="The prior wins outright (posterior collapse): within a few hundred steps the "
                 "KL falls below 0.05 nats, every test code sits at the origin with σ ≈ 1, the "
                 "manifold grid shows one average digit everywhere, and test MSE rises to "
                 "0.07-0.08 after 1,500 steps (seed 0), nearly twice β = 1's or more and worse "
                 "than PCA's line. Try β = 2: a round blob "
                 "that still reconstructs, blurrier than at β = 1.",
           test=CLAIMS + "test_ae_beta_four_collapses_and_beta_two_does_not"),
    Preset("latent 2 vs 16", {"variant": "ae", "latent_dim": 16},
           question="How much does a wider bottleneck buy in reconstruction?",
           watch="After 1,500 steps (seed 0) the test MSE chart ends below a quarter of a 2-D "
                 "autoencoder's (0.004-0.007 against 0.030-0.037). The latent scatter is now a PCA projection of the 16-D codes (the "
                 "axis titles give the variance it keeps), so points close there need not be "
                 "close in 16-D: try t-SNE.",
           test=CLAIMS + "test_ae_latent_16_cuts_mse_about_six_fold_and_bce_much_less"),
    Preset("noise 0 vs 0.5", {"variant": "dae", "latent_dim": 8, "noise_type": "gaussian",
                              "noise_level": 0.5},
           question="Can a network rebuild a digit it only sees through heavy noise?",
           watch="The noisy row is barely readable, the reconstruction row is clean: after "
                 "1,500 steps (seed 0) the 'denoised' test MSE is under a third of the 'noisy "
                 "input' line (0.11-0.13). Set the noise to 0 live and the DAE becomes a plain "
                 "autoencoder.",
           test=CLAIMS + "test_ae_denoising_beats_the_noisy_input_by_three"),
    Preset("swiss roll: unrolling a sheet", {"dataset": "swiss_roll", "variant": "vae",
                                             "latent_dim": 2},
           question="Can a 2-D bottleneck unroll a curled 2-D sheet living in 3-D?",
           watch="Colour shows the position along the roll. Watch the latent scatter: where the "
                 "colours change smoothly the sheet was unrolled; where far-apart colours meet "
                 "the encoder folded or tore it. After 1,500 steps (seed 0) the test MSE is "
                 "below 0.3 times PCA's flat plane (PCA: 0.25-0.3), and the reconstruction hugs the "
                 "spiral. Try other seeds.",
           test=CLAIMS + "test_ae_swiss_roll_beats_pca_plane_about_five_fold"),
]
