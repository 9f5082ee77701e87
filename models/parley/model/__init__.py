"""The DiffPoseTalk-style model: audio encoder, style encoder, denoiser, diffusion, samplers, export.

Modules:
  config     dataclass configurations (``tiny`` for tests, ``base`` for the shipped pack)
  layers     attention blocks written for clean ONNX export (no fused fast paths)
  audio      log-mel front end (STFT as a fixed conv) and the audio encoder
  style      style encoder and the NT-Xent contrastive loss
  denoiser   the transformer denoiser predicting clean motion x0
  diffusion  cosine schedule, forward noising, training losses, condition dropout
  sampler    reference ancestral sampler and the runtime's few-step DDIM, both with incremental CFG
  train      Dataset protocol, windowing and the training loops
  export     ONNX export of a model pack with manifest and golden vectors
"""
