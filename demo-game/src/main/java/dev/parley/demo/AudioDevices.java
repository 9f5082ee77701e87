package dev.parley.demo;

import java.nio.ByteBuffer;
import java.util.logging.Logger;
import org.lwjgl.openal.ALC;
import org.lwjgl.openal.ALC10;

/** Checks for an audio output device before jME opens OpenAL, which crashes when there is none. */
final class AudioDevices {

    private static final Logger LOG = Logger.getLogger(AudioDevices.class.getName());

    private AudioDevices() {
    }

    /** @return true if OpenAL can open the default output device */
    static boolean outputAvailable() {
        try {
            ALC.create();
            long device = ALC10.alcOpenDevice((ByteBuffer) null);
            if (device == 0L) {
                LOG.warning("No audio output device: the demo runs silent (faces still animate)");
                return false;
            }
            ALC10.alcCloseDevice(device);
            return true;
        } catch (Throwable t) {
            LOG.warning("OpenAL unavailable (" + t + "): the demo runs silent (faces still animate)");
            return false;
        } finally {
            try {
                ALC.destroy();
            } catch (Throwable ignored) {
                // Nothing was created.
            }
        }
    }
}
