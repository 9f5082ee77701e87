"""Retargeting Parley's motion frames onto ARKit-52 blendshapes, Oculus visemes and VRM 1.0 presets.

:mod:`.targets` authors the three target sets on the open head as displacement fields; :mod:`.solve` fits the
per-frame solve that maps a motion frame to each set's weights and writes the runtime assets
(``assets/Retargets/*.retarget.json``); :mod:`.fidelity` measures what the retarget keeps on held-out clips;
:mod:`.build` is the ``python3 -m parley retarget`` job. docs/retargeting.md describes the assets.
"""
