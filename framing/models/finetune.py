"""A transformer fine-tuned end to end for frames and stance at once.

One ``AutoModelForSequenceClassification`` with ``n_frames + n_stances``
outputs: the frame logits get a multi-label (binary cross-entropy) loss with
positive-class weights so rare frames count, the stance logits a cross-entropy
loss with balanced class weights. Training uses the ``transformers`` Trainer
with a fixed seed, evaluates every epoch on dev data and keeps the epoch with
the best dev macro-F1 (mean of frames and stance) in memory, stopping early
when it no longer improves; nothing is written to disk while training. Saved
with ``save_pretrained`` (safetensors). Runs on the CPU; uses a GPU when there
is one.

What makes it fast on a CPU (measured on GVFC headlines, 2 cores): the word
embedding matrix (half of MiniLM's weights) is frozen, so the fused AdamW step
updates only the layers that learn; bfloat16 autocast where the CPU has native
bf16 (AMX or AVX512-BF16); batches of similar length padded to their own
longest text; and after a first fit that chose the epoch count on held-out
data, :meth:`refit_params` lets the caller refit on all data for exactly that
many epochs with no evaluation.

Two fine-tunes for the training time of one (``keep_selection_fit``, on by
default): the refit is warm-started (``warm_start``, as scikit-learn's ensembles
mean it: a fit adds a network to those already fitted), so the network of the
first fit, trained without the held-out part, is kept beside the one refit on
all data, with the next seed; predictions average the networks' probabilities.
"""

from __future__ import annotations

import json
import logging
import tempfile
from pathlib import Path

import numpy as np
from scipy.special import expit, softmax
from sklearn.metrics import f1_score

from framing.data.codebook import Codebook
from framing.errors import FramingError
from framing.models.base import FramingClassifier
from framing.models.io import read_json
from framing.models.transformer import (
    DEFAULT_ENCODER,
    batches,
    cpu_has_bf16,
    load_error,
    pick_device,
    pretrained_options,
    resolve_encoder,
)

WEIGHTS_DIR = "transformer"
# More networks than one (a warm-started fit) are saved as transformer-1, transformer-2...
NETWORKS_FILE = "networks.json"
DTYPES = ("auto", "bfloat16", "float32")
logger = logging.getLogger(__name__)


def _network_dir(path: Path, k: int) -> Path:
    """The folder of a saved model's ``k``-th network (the first holds the tokenizer too)."""
    return path / (WEIGHTS_DIR if k == 0 else f"{WEIGHTS_DIR}-{k}")


def _trainer_class():
    import torch
    from transformers import Trainer

    class MultiTaskTrainer(Trainer):
        """Trainer whose loss is BCE on the frame logits plus CE on the stance logits."""

        def __init__(self, *args, n_frames, pos_weight, stance_weight, **kwargs):
            super().__init__(*args, **kwargs)
            self.n_frames = n_frames
            self.pos_weight = pos_weight
            self.stance_weight = stance_weight

        def compute_loss(self, model, inputs, return_outputs=False, **kwargs):
            labels = inputs.pop("labels")
            outputs = model(**inputs)
            logits = outputs.logits.float()
            f = self.n_frames
            loss = logits.new_zeros(())
            if f:  # a codebook without frames has no frame outputs
                loss = loss + torch.nn.functional.binary_cross_entropy_with_logits(
                    logits[:, :f],
                    labels[:, :f].float(),
                    pos_weight=self.pos_weight.to(logits.device),
                )
            if logits.shape[1] > f:  # a codebook without stance has no stance outputs
                loss = loss + torch.nn.functional.cross_entropy(
                    logits[:, f:], labels[:, f].long(), weight=self.stance_weight.to(logits.device)
                )
            return (loss, outputs) if return_outputs else loss

    return MultiTaskTrainer


def _best_epoch_callback(patience: int):
    """A callback that keeps the best evaluation's weights in memory and stops training
    after ``patience`` evaluations without improvement (no checkpoint files)."""
    from transformers import TrainerCallback

    class KeepBest(TrainerCallback):
        def __init__(self):
            self.best, self.state_dict, self.waited, self.epoch = None, None, 0, None

        def on_evaluate(self, args, state, control, metrics=None, model=None, **kwargs):
            score = (metrics or {}).get("eval_macro_f1")
            if score is None:
                return
            if self.best is None or score > self.best:
                self.best, self.waited, self.epoch = score, 0, round(state.epoch or 0)
                self.state_dict = {
                    k: v.detach().cpu().clone() for k, v in model.state_dict().items()
                }
            else:
                self.waited += 1
                if self.waited >= patience:
                    control.should_training_stop = True

    return KeepBest()


class FinetuneClassifier(FramingClassifier):
    """A fine-tuned transformer with frame and stance outputs.

    Examples
    --------
    >>> model = FinetuneClassifier(epochs=3).fit(texts, frames, stances)  # doctest: +SKIP
    """

    family = "finetune"
    cross_fit_cheap = False

    def __init__(
        self,
        *,
        codebook: Codebook | None = None,
        encoder: str = DEFAULT_ENCODER,
        epochs: int = 8,
        learning_rate: float = 1e-4,
        batch_size: int = 16,
        max_length: int = 128,
        weight_decay: float = 0.01,
        warmup_ratio: float = 0.1,
        patience: int = 2,
        holdout: float = 0.1,
        freeze_embeddings: bool = True,
        dtype: str = "auto",
        keep_selection_fit: bool = True,
        warm_start: bool = False,
        seed: int = 0,
        device: str = "auto",
    ):
        super().__init__(codebook=codebook)
        self.encoder = encoder
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_length = max_length
        self.weight_decay = weight_decay
        self.warmup_ratio = warmup_ratio
        self.patience = patience
        self.holdout = holdout
        self.freeze_embeddings = freeze_embeddings
        self.dtype = dtype
        self.keep_selection_fit = keep_selection_fit
        self.warm_start = warm_start
        self.seed = seed
        self.device = device

    def _check_settings(self) -> None:
        super()._check_settings()
        if self.epochs < 1 or self.batch_size < 1:
            raise FramingError(
                f"epochs and batch_size must be >= 1, got {self.epochs}, {self.batch_size}"
            )
        if not 0 < self.learning_rate < 1:
            raise FramingError(f"learning_rate must be in (0, 1), got {self.learning_rate}")
        if not 0 <= self.holdout < 0.5:
            raise FramingError(f"holdout must be in [0, 0.5), got {self.holdout}")
        if self.dtype not in DTYPES:
            raise FramingError(f"dtype must be one of {', '.join(DTYPES)}, got {self.dtype!r}")

    def refit_params(self) -> dict:
        """Settings for refitting on all the data after a fit that evaluated on held-out
        data: the epoch count that scored best there, no hold-out (nothing left to stop
        on) and, with ``keep_selection_fit``, a warm start that keeps this fit's network
        beside the refit one. Empty before such a fit."""
        best = getattr(self, "best_epoch_", None)
        if not best:
            return {}
        return {"epochs": int(best), "holdout": 0.0, "warm_start": self.keep_selection_fit}

    def _encode(self, texts, labels=None):
        from datasets import Dataset

        data = {"text": list(texts)}
        if labels is not None:
            data["labels"] = labels.tolist()
        dataset = Dataset.from_dict(data)
        return dataset.map(
            lambda batch: self.tokenizer_(
                batch["text"], truncation=True, max_length=self.max_length
            ),
            batched=True,
            remove_columns=["text"],
        )

    def _fit(self, texts, Y, y):
        import datasets
        import torch
        from transformers import (
            AutoModelForSequenceClassification,
            AutoTokenizer,
            DataCollatorWithPadding,
            PrinterCallback,
            TrainingArguments,
            set_seed,
        )
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        datasets.disable_progress_bars()
        c = self
        n_frames, n_stances = len(self.frames_), len(self.stances_)
        kept = list(getattr(self, "networks_", [])) if c.warm_start else []
        if kept and (
            kept[0].config.num_labels != n_frames + n_stances or self.encoder_ != c.encoder
        ):
            raise FramingError(
                f"warm_start: the fitted networks ({self.encoder_}, {kept[0].config.num_labels}"
                f" outputs) do not match this fit ({c.encoder}, {n_frames + n_stances}"
                " outputs); fit without warm_start"
            )
        seed = c.seed + len(kept)  # each added network learns with the next seed
        set_seed(seed)
        labels = np.column_stack([Y, y]).astype(np.float32)
        eval_set = getattr(self, "_eval_set", None)
        if eval_set is not None:
            train_idx = np.arange(len(texts))
            dev_texts = eval_set[0]
            dev_labels = np.column_stack(eval_set[1:]).astype(np.float32)
        elif int(len(texts) * c.holdout):  # hold out a slice for early stopping
            order = np.random.default_rng(seed).permutation(len(texts))
            n_dev = int(len(texts) * c.holdout)
            train_idx, dev_idx = order[n_dev:], order[:n_dev]
            dev_texts = [texts[i] for i in dev_idx]
            dev_labels = labels[dev_idx]
        else:  # no hold-out: train for exactly ``epochs`` epochs
            train_idx, dev_texts, dev_labels = np.arange(len(texts)), None, None
        path = resolve_encoder(c.encoder)
        id2label = {i: f"frame:{f}" for i, f in enumerate(self.frames_)}
        id2label.update({n_frames + i: f"stance:{s}" for i, s in enumerate(self.stances_)})
        options = pretrained_options()
        try:
            self.tokenizer_ = AutoTokenizer.from_pretrained(
                path, local_files_only=options["local_files_only"]
            )
            self.network_ = AutoModelForSequenceClassification.from_pretrained(
                path,
                num_labels=n_frames + n_stances,
                id2label=id2label,
                label2id={v: k for k, v in id2label.items()},
                **options,
            )
        except (OSError, ValueError) as exc:
            raise load_error(c.encoder, exc) from None
        if c.freeze_embeddings:
            self.network_.get_input_embeddings().weight.requires_grad_(False)
        self._warn_cut(texts, "fine-tuning")
        train_Y = Y[train_idx]
        positives = train_Y.sum(axis=0)
        pos_weight = np.clip((len(train_idx) - positives) / np.maximum(positives, 1), 1, 20)
        counts = np.bincount(y[train_idx], minlength=n_stances).astype(float)[:n_stances]
        stance_weight = np.where(
            counts > 0, counts.sum() / (max(n_stances, 1) * np.maximum(counts, 1)), 0
        )

        def metrics(prediction):
            logits, gold = prediction.predictions, prediction.label_ids
            frames_f1 = (
                f1_score(
                    gold[:, :n_frames].astype(int),
                    (logits[:, :n_frames] > 0).astype(int),
                    average="macro",
                    zero_division=0,
                )
                if n_frames
                else None
            )
            if not n_stances:
                return {"macro_f1": frames_f1, "frames_macro_f1": frames_f1}
            stance_f1 = f1_score(
                gold[:, n_frames].astype(int),
                logits[:, n_frames:].argmax(axis=1),
                labels=list(range(n_stances)),
                average="macro",
                zero_division=0,
            )
            if frames_f1 is None:
                return {"macro_f1": stance_f1, "stance_macro_f1": stance_f1}
            return {
                "macro_f1": (frames_f1 + stance_f1) / 2,
                "frames_macro_f1": frames_f1,
                "stance_macro_f1": stance_f1,
            }

        device = pick_device(c.device)
        bf16 = c.dtype == "bfloat16" or (
            c.dtype == "auto"
            and (
                torch.cuda.is_bf16_supported()
                if device.startswith("cuda")
                else device == "cpu" and cpu_has_bf16()
            )
        )
        evaluate = "epoch" if dev_texts is not None else "no"
        with tempfile.TemporaryDirectory() as tmp:
            args = TrainingArguments(
                output_dir=tmp,
                num_train_epochs=c.epochs,
                per_device_train_batch_size=c.batch_size,
                per_device_eval_batch_size=64,
                learning_rate=c.learning_rate,
                weight_decay=c.weight_decay,
                warmup_steps=c.warmup_ratio,  # a float below 1 is a fraction of all steps
                eval_strategy=evaluate,
                save_strategy="no",
                logging_strategy="no",
                report_to=[],
                seed=seed,
                data_seed=seed,
                use_cpu=device == "cpu",
                bf16=bf16,
                optim="adamw_torch_fused" if device in ("cpu", "cuda") else "adamw_torch",
                train_sampling_strategy="group_by_length",
                disable_tqdm=True,
            )
            keep_best = _best_epoch_callback(c.patience)
            trainer = _trainer_class()(
                model=self.network_,
                args=args,
                train_dataset=self._encode([texts[i] for i in train_idx], labels[train_idx]),
                eval_dataset=None if dev_texts is None else self._encode(dev_texts, dev_labels),
                data_collator=DataCollatorWithPadding(self.tokenizer_),
                compute_metrics=metrics,
                callbacks=[keep_best],
                n_frames=n_frames,
                pos_weight=torch.tensor(pos_weight, dtype=torch.float32),
                stance_weight=torch.tensor(stance_weight, dtype=torch.float32),
            )
            trainer.remove_callback(PrinterCallback)  # keep training quiet on stdout
            trainer.train()
            if keep_best.state_dict is not None:
                self.network_.load_state_dict(keep_best.state_dict)
            self.best_dev_macro_f1_ = None if keep_best.best is None else float(keep_best.best)
            self.best_epoch_ = keep_best.epoch
            self.dtype_ = "bfloat16" if bf16 else "float32"
        self.network_.to("cpu" if device == "cpu" else device).eval()
        self.networks_ = [*kept, self.network_]
        self.encoder_ = c.encoder
        self._device = device

    def _warn_cut(self, texts: list[str], doing: str) -> None:
        """Say how many texts are longer than the model reads (it reads their beginning)."""
        lengths = [len(ids) for ids in self.tokenizer_(list(texts))["input_ids"]]
        cut = sum(n > self.max_length for n in lengths)
        if cut:
            logger.warning(
                f"{doing}: {cut} of {len(texts)} texts are longer than max_length"
                f" ({self.max_length} tokens); the fine-tuned model reads only their first"
                f" {self.max_length} tokens (raise max_length to read more)"
            )

    def _predict_proba(self, texts):
        import torch

        self._warn_cut(texts, "predicting")
        n_frames = len(self.frames_)
        device = getattr(self, "_device", "cpu")
        logits = np.zeros((len(texts), n_frames + len(self.stances_)), dtype=np.float32)
        fast = device == "cpu" and self.dtype != "float32" and cpu_has_bf16()
        frames = np.zeros((len(texts), n_frames))
        stance = np.zeros((len(texts), len(self.stances_)))
        for network in self.networks_:  # the mean of the networks' probabilities
            with torch.inference_mode(), torch.autocast("cpu", torch.bfloat16, enabled=fast):
                for rows, batch in batches(self.tokenizer_, texts, 64, self.max_length, device):
                    logits[rows] = network(**batch).logits.float().cpu().numpy()
            frames += expit(logits[:, :n_frames])
            if self.stances_:  # a codebook without stance has no stance outputs
                stance += softmax(logits[:, n_frames:], axis=1)
        return frames / len(self.networks_), stance / len(self.networks_)

    def _save(self, path: Path) -> None:
        for k, network in enumerate(self.networks_):
            network.save_pretrained(_network_dir(path, k), safe_serialization=True)
        self.tokenizer_.save_pretrained(path / WEIGHTS_DIR)
        (path / NETWORKS_FILE).write_text(json.dumps({"networks": len(self.networks_)}) + "\n")

    def _load(self, path: Path) -> None:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        n = 1
        if (path / NETWORKS_FILE).exists():
            saved = read_json(path / NETWORKS_FILE)
            n = saved.get("networks") if isinstance(saved, dict) else None
            if not isinstance(n, int) or isinstance(n, bool) or n < 1:
                raise FramingError(
                    f"{path / NETWORKS_FILE}: expected {{'networks': N}} with N >= 1, got"
                    f" {n!r:.40}; the file is damaged, retrain the model"
                )
        self._device = pick_device(self.device)
        self.networks_ = []
        for k in range(n):
            folder = _network_dir(path, k)
            try:
                if k == 0:
                    self.tokenizer_ = AutoTokenizer.from_pretrained(folder, local_files_only=True)
                network = AutoModelForSequenceClassification.from_pretrained(
                    folder, use_safetensors=True, local_files_only=True
                )
            except (OSError, ValueError) as exc:
                raise load_error(str(folder), exc) from None
            self.networks_.append(network.to(self._device).eval())
        self.network_ = self.networks_[-1]
        self.encoder_ = self.encoder
