"""The synthetic talking-face corpus: TTS speech with phone timing and procedural FLAME-space motion.

Ground truth here is a designed procedural target, not a measurement of people;
see docs/corpus.md. Real FLAME data loads through :mod:`parley.corpus.dataset`.
"""
