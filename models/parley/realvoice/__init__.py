"""Real voices: hedgewars' recorded game lines, aligned with pocketsphinx, as a development and evaluation split.

``lines`` says which recordings are used (the words of each file, the packs and the split rule), ``align``
runs pocketsphinx's forced alignment, ``dataset`` writes and reads the aligned clips
(``python3 -m parley realvoice``), ``metrics`` scores motion on them without ground truth and ``probe``
measures how well an audio encoder's features tell the phones apart (docs/real-voices.md).
"""
