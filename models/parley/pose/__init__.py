"""The pose adapter (AdaMesh's, issue 19): head pose as VQ-VAE codes, predicted from speech by PoseGPT
under a one-hot pose style that a reference take's semantic-aware pose style matrix retrieves
(docs/adapters.md, "Pose adapter"). ``python3 -m parley pose`` runs its jobs (:mod:`parley.pose.cli`)."""
