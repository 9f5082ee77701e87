package dev.parley.audio;

import com.jme3.asset.AssetInfo;
import com.jme3.asset.AssetKey;
import com.jme3.asset.AssetManager;
import com.jme3.asset.AssetNotFoundException;
import com.jme3.audio.AudioData;
import com.jme3.audio.AudioKey;
import dev.parley.util.Validate;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * Parley's loading path for dialogue audio assets, with errors a game can act on: WAV files go through
 * {@link WavReader} (24-bit, 32-bit and float included, headers checked against the file), anything
 * else (OGG Vorbis) through jME's loader, whose failures (a bare "An exception has occurred while
 * loading asset", or a {@link NullPointerException} for a truncated OGG) become an
 * {@link AudioInputException} naming the file. Call {@link #check} before building an
 * {@code AudioNode} from a file you did not make, so a bad line fails where you can report it.
 */
public final class AudioFiles {

    private AudioFiles() {
    }

    /**
     * Decodes an audio asset fully, to prove it is usable, and returns what it holds.
     *
     * @param assets the asset manager to load through (not null)
     * @param path the asset path, e.g. {@code Sounds/guard_03.ogg} (not null)
     * @return a one-line summary, e.g. {@code "Sounds/guard_03.ogg: 2.41 s at 44100 Hz"} (not null)
     * @throws AudioInputException naming the asset and the problem
     */
    public static String check(AssetManager assets, String path) {
        PcmClip clip = read(assets, path);
        return String.format(Locale.ROOT, "%s: %.2f s at %d Hz", path, clip.duration(), clip.sampleRate());
    }

    /**
     * Reads an audio asset as a mono clip at its own rate.
     *
     * @param assets the asset manager to load through (not null)
     * @param path the asset path (not null)
     * @return a new clip named after the path (not null)
     * @throws AudioInputException naming the asset and the problem: missing, unreadable, corrupt,
     *     truncated, empty, or beyond {@link AudioLimits}
     */
    public static PcmClip read(AssetManager assets, String path) {
        Validate.nonNull(assets, "assets");
        Validate.nonNull(path, "path");
        if (path.toLowerCase(Locale.ROOT).endsWith(".wav")) {
            AssetInfo info = assets.locateAsset(new AssetKey<>(path));
            if (info == null) {
                throw new AudioInputException(path, "does not exist (no asset locator finds it)");
            }
            try (InputStream in = info.openStream()) {
                return WavReader.read(in, path);
            } catch (IOException e) {
                throw new AudioInputException(path, "cannot be read: " + e, e);
            }
        }
        AudioData data;
        try {
            data = assets.loadAudio(new AudioKey(path, false));
        } catch (AssetNotFoundException e) {
            throw new AudioInputException(path, "does not exist (no asset locator finds it)", e);
        } catch (RuntimeException e) {
            throw new AudioInputException(path,
                    "is not readable audio (corrupt or truncated?): jME's loader failed with "
                    + describe(e), e);
        }
        return AudioDataReader.read(data, path);
    }

    /** @return the deepest cause's class, and its message if short: jME's own says only "An exception has occurred" */
    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        boolean useful = message != null && message.length() <= 100 && !(root instanceof NullPointerException);
        return root.getClass().getSimpleName() + (useful ? ": " + message : "");
    }
}
