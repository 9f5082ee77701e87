package dev.parley.demo;

import java.nio.ByteBuffer;
import java.util.logging.Logger;
import org.lwjgl.openal.ALC10;

/**
 * Checks for an audio output device before jME opens OpenAL: jME 3.9 stops at start when there is
 * none, so the demo then runs with no audio renderer.
 */
final class AudioDevices {

    private static final Logger LOG = Logger.getLogger(AudioDevices.class.getName());

    private AudioDevices() {
    }

    /**
     * Opens and closes OpenAL's default output device. LWJGL loads OpenAL (creates {@code ALC}) when the
     * class is first used and jME opens its device through that same instance, so this neither creates
     * nor destroys {@code ALC} itself.
     *
     * @return true if OpenAL can open the default output device (logged either way)
     */
    static boolean outputAvailable() {
        try {
            long device = ALC10.alcOpenDevice((ByteBuffer) null);
            if (device == 0L) {
                LOG.warning("No audio output device: the demo runs silent (faces still animate)");
                return false;
            }
            String name = ALC10.alcGetString(device, ALC10.ALC_DEVICE_SPECIFIER);
            ALC10.alcCloseDevice(device);
            LOG.info("Audio output: " + name);
            return true;
        } catch (RuntimeException | LinkageError e) {
            LOG.warning("OpenAL unavailable (" + e + "): the demo runs silent (faces still animate)");
            return false;
        }
    }
}
