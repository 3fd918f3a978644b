"""Settings of the GAN page: one frozen dataclass, named presets and the pathology lab.

Names follow the papers: ``z_dim`` (latent size), ``d_steps`` (k discriminator steps per
generator step, Goodfellow et al. 2014, Algorithm 1), ``gp_lambda`` (Gulrajani et al. 2017),
``beta1``/``beta2`` (Adam).
"""
from __future__ import annotations

from dataclasses import dataclass

from core.config import Config, Preset, param

DATASETS_2D = ("ring8", "grid25", "hills", "moons", "spiral", "rings", "csv")
#: datasets made of Gaussian modes: mode coverage and sample quality are defined for them
MIXTURES = ("ring8", "grid25", "hills")
DATASETS = DATASETS_2D + ("digits",)
LOSSES = ("minimax", "nonsat", "lsgan", "hinge", "wgan-gp")


@dataclass(frozen=True)
class GANConfig(Config):
    # ---- Data -----------------------------------------------------------------------------
    dataset: str = param(
        "ring8", label="Dataset", group="Data", choices=DATASETS,
        help="ring8: 8 Gaussians on a circle of radius 2; grid25: 5x5 Gaussians; hills: GAN "
             "Lab's two Gaussian hills; moons, spiral, rings: curves; csv: your own 2-D points; "
             "digits: scikit-learn's 8x8 handwritten digits.")
    spread: float = param(
        0.05, label="Spread (std)", group="Data", min=0.005, max=0.5, step=0.005,
        help="Standard deviation of each mode (or noise around each curve). Smaller modes are "
             "harder to hit: the generator must place its mass precisely.",
        visible_if={"dataset": DATASETS_2D[:-1]})
    # ---- Model ----------------------------------------------------------------------------
    z_dim: int = param(
        2, label="Latent size z_dim", min=1, max=64, step=1,
        help="Size of the noise vector z fed to the generator. The manifold view maps a grid "
             "over the first two noise dimensions (±2 for Gaussian noise, ±1 for uniform) "
             "through G; with more than 2 the others stay at 0, a 2-D slice.")
    noise: str = param(
        "gaussian", label="Noise distribution", choices=("gaussian", "uniform"),
        help="p(z): standard normal, or uniform on [-1, 1] in every dimension.")
    g_hidden: int = param(128, label="Generator width", min=4, max=512, step=4,
                          help="Units in each hidden layer of the generator MLP.")
    d_hidden: int = param(128, label="Discriminator width", min=4, max=512, step=4,
                          help="Units in each hidden layer of the discriminator MLP.")
    n_layers: int = param(2, label="Hidden layers", min=1, max=4, step=1,
                          help="Hidden layers in both the generator and the discriminator.")
    spectral_norm: bool = param(
        False, label="Spectral normalisation (D)",
        help="Divide each discriminator weight by an estimate of its largest singular value "
             "(one power iteration per step, Miyato et al. 2018): each layer's Lipschitz "
             "constant becomes about 1 (the estimate errs low, so never below 1), which keeps "
             "D's gradients bounded.")
    # ---- Training -------------------------------------------------------------------------
    loss: str = param(
        "nonsat", label="Loss", group="Training", choices=LOSSES,
        help="minimax: the original saturating log(1 - D(G(z))); nonsat: -log D(G(z)); lsgan: "
             "least squares; hinge; wgan-gp: Wasserstein critic with gradient penalty.")
    gp_lambda: float = param(
        10.0, label="Gradient penalty λ", group="Training", min=0.0, max=100.0, step=0.5,
        live=True, visible_if={"loss": ("wgan-gp",)},
        help="Weight of the penalty (|grad D(x_hat)| - 1)^2, which pulls the critic's gradient "
             "norm towards 1: a soft 1-Lipschitz constraint, not a guarantee.")
    d_steps: int = param(
        1, label="D steps per G step", group="Training", min=1, max=10, step=1, live=True,
        help="k in Algorithm 1: discriminator updates before each generator update. "
             "WGAN-GP uses 5.")
    optimizer: str = param("adam", label="Optimiser", group="Training", choices=("adam", "sgd"),
                           help="Adam (the usual choice for GANs) or plain SGD with momentum.")
    lr: float = param(3e-3, label="Generator learning rate", group="Training", min=1e-5,
                      max=1.0, scale="log", live=True, above_max="default",
                      help="Step size of the generator.")
    lr_d: float = param(3e-3, label="Discriminator learning rate", group="Training",
                        min=1e-5, max=1.0, scale="log", live=True, above_max="default",
                        help="Step size of the discriminator. A much faster D saturates the "
                             "minimax loss; a much slower one lets G collapse.")
    beta1: float = param(0.5, label="Adam β1", group="Training", min=0.0, max=0.99, step=0.05,
                         visible_if={"optimizer": ("adam",)},
                         help="Momentum of Adam's first moment; GAN papers use 0.5 or 0.")
    beta2: float = param(0.9, label="Adam β2", group="Training", min=0.5, max=0.9999,
                         step=0.001, visible_if={"optimizer": ("adam",)},
                         help="Decay of Adam's second moment. 0.9 (as in WGAN-GP) adapts the step size to "
                              "the moving game faster than the usual 0.999: fewer steps "
                              "to cover all 8 modes here (seeds 0-2: 300-400 against "
                              "350-600).")
    momentum: float = param(0.0, label="SGD momentum", group="Training", min=0.0, max=0.99,
                            step=0.05, visible_if={"optimizer": ("sgd",)},
                            help="Heavy-ball momentum; high values make GANs orbit.")
    batch_size: int = param(128, label="Batch size", group="Training", min=8, max=1024,
                            step=8, help="Real and generated samples per step.")
    step_mode: str = param(
        "both", label="Train", group="Training", choices=("both", "d", "g"), live=True,
        help="Which player learns when you press play or step: both (alternating), the "
             "discriminator only (d) or the generator only (g), as in GAN Lab.")

    @property
    def is_2d(self) -> bool:
        return self.dataset != "digits"

    @property
    def has_modes(self) -> bool:
        return self.dataset in MIXTURES

    def uploaded(self) -> str | None:
        return "points (CSV)" if self.dataset == "csv" else None

    def problems(self) -> list[str]:
        out = []
        if self.dataset == "digits" and self.z_dim < 2:
            out.append("z_dim 1 is too small for digits: pick z_dim 8 or more so the "
                       "generator can vary stroke and class.")
        if self.optimizer == "sgd":
            for name, lr in (("generator", self.lr), ("discriminator", self.lr_d)):
                if lr > 0.5:
                    out.append(f"SGD with {name} learning rate {lr:g} diverges at once: pick "
                               "0.1 or less.")
        return out


#: settings shared by the pathology pairs (chosen from measured runs; tests/test_gan.py checks
#: that each one still shows its pathology and that its fix cures it)
VANISHING = {"loss": "minimax", "optimizer": "sgd", "lr": 0.02, "lr_d": 0.2, "momentum": 0.0,
             "d_steps": 5}
OSCILLATION = {"lr": 1e-2, "lr_d": 1e-2, "beta1": 0.9}
OSCILLATION_FIX = {"lr": 3e-3, "lr_d": 3e-3, "beta1": 0.5}

PRESETS = [
    Preset("default", {}),
    Preset("WGAN-GP", {"loss": "wgan-gp", "d_steps": 5, "beta1": 0.0, "beta2": 0.9,
                       "lr": 1e-3, "lr_d": 1e-3}),
    Preset("hinge + spectral norm", {"loss": "hinge", "spectral_norm": True}),
    Preset("grid of 25", {"dataset": "grid25", "spread": 0.05, "z_dim": 4}),
    Preset("two Gaussian hills (GAN Lab)", {"dataset": "hills", "spread": 0.3}),
    # WGAN-GP: with the non-saturating or least-squares loss these digits collapse to one or two
    # shapes within a few thousand steps; the critic's gradient penalty keeps them varied
    Preset("digits (WGAN-GP)", {"dataset": "digits", "z_dim": 16, "g_hidden": 256,
                                "d_hidden": 256, "batch_size": 64, "loss": "wgan-gp",
                                "d_steps": 5, "beta1": 0.0, "beta2": 0.9, "lr": 1e-3,
                                "lr_d": 1e-3}),
]

#: where each experiment's promise is checked
CLAIMS = "tests/test_experiment_claims.py::"

#: The pathology lab: each failure, then the preset that fixes it (issue 4 asks for the pairs,
#: so this list has six entries rather than the usual 3-5).
EXPERIMENTS = [
    Preset("Mode collapse", {"lr": 5e-3, "lr_d": 5e-4},
           question="What happens when the generator learns ten times faster than the "
                    "discriminator?",
           watch="The purple points bunch into one or two clumps that hop from place to place; "
                 "the coverage chart stays at 0-3 of 8 modes for the first 3,000 steps (seeds "
                 "0-2). G keeps jumping to wherever the slow D currently says 'real' "
                 "instead of spreading out. It is a slow state, not a permanent one: left "
                 "running much longer, D may catch up.",
           test=CLAIMS + "test_gan_mode_collapse_stays_at_three_modes_or_fewer"),
    Preset("Mode collapse, fixed: balanced learning rates", {"lr": 3e-3, "lr_d": 3e-3},
           question="Does giving D the same learning rate as G (the default) cure the collapse?",
           watch="D now reshapes its heatmap as fast as G moves, so a clump that sits on one "
                 "mode gets pushed off it; the coverage chart climbs to 8/8 within 600 steps "
                 "(seeds 0-2), is at 8 in at least 60 % of the evaluations after that, with "
                 "brief dips as D reshapes, and at 8 at step 1,500.",
           test=CLAIMS + "test_gan_balanced_rates_cover_all_modes_within_600_steps"),
    Preset("Vanishing gradients (saturating loss)", VANISHING,
           question="Why did Goodfellow et al. not train G with the minimax loss they wrote?",
           watch="A fast discriminator (5 SGD steps at ten times G's rate) wins at once: the "
                 "heatmap turns purple under the generated points and, on most seeds (0 and 1 "
                 "here), the 'generator's signal' chart sits below 0.01 over steps 200-300. "
                 "log(1 - D(G(z))) is flat where D(G(z)) ≈ 0, and plain SGD (unlike Adam) does "
                 "not rescale a tiny gradient, so G stays near the origin. On some seeds (2 "
                 "here) G gets away before D wins: try a few.",
           test=CLAIMS + "test_gan_saturating_loss_starves_g_on_most_seeds_and_nonsat_does_not"),
    Preset("Vanishing gradients, fixed: non-saturating loss", {**VANISHING, "loss": "nonsat"},
           question="Same strong discriminator, generator loss -log D(G(z)) instead: what "
                    "changes?",
           watch="The gradient of -log D(G(z)) is largest exactly where D rejects the fakes: "
                 "the signal chart sits over a thousand times higher (seeds 0 and 1, steps "
                 "200-300) and the points walk out to the ring. (With plain "
                 "SGD they then settle on one mode: mode collapse, the first pathology on this "
                 "list.)",
           test=CLAIMS + "test_gan_saturating_loss_starves_g_on_most_seeds_and_nonsat_does_not"),
    Preset("Oscillation (big steps, heavy momentum)", OSCILLATION,
           question="What do large learning rates with Adam's β1 = 0.9 do to a two-player game?",
           watch="The generated cloud shrinks, swings across the plane and back, and never "
                 "settles on the ring (seed 0: at most 3 of 8 modes in 1,500 steps); the "
                 "losses jump instead of levelling off. The game's "
                 "gradient field rotates around its equilibrium, and big steps with momentum "
                 "overshoot the rotation instead of spiralling in.",
           test=CLAIMS + "test_gan_smaller_steps_stop_the_oscillation"),
    Preset("Oscillation, fixed: smaller steps, β1 = 0.5", OSCILLATION_FIX,
           question="With about three times smaller steps and less momentum (the defaults), "
                    "does the orbit turn into convergence?",
           watch="The losses flatten out (seed 0: the discriminator loss swings at least five "
                 "times less over steps 1,200-1,500) and the cloud spreads onto all 8 modes "
                 "instead of swinging around them.",
           test=CLAIMS + "test_gan_smaller_steps_stop_the_oscillation"),
]
