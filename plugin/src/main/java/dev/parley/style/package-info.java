/**
 * Speaking styles as assets: {@code Npc.style.json} holds a style embedding, its dimension, the
 * model pack it belongs to and a display name. Load with {@code assetManager.loadAsset(new StyleKey(path))}
 * after {@link dev.parley.style.StyleKey#register(com.jme3.asset.AssetManager)}. Expression adapters
 * ({@code Npc.adapter}, docs/adapters.md) are the per-performer low-rank factors fitted to a take, loaded with
 * {@code new AdapterKey(path)} after {@link dev.parley.style.AdapterKey#register(com.jme3.asset.AssetManager)}.
 */
package dev.parley.style;
