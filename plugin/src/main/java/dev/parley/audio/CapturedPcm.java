package dev.parley.audio;

/**
 * Raw interleaved little-endian PCM copied out of jME audio data, not yet converted: what
 * {@link AudioDataReader#capture} takes on the render thread. Owns its byte array.
 *
 * @param name the line's name for messages
 * @param bytes the PCM bytes (owned by this record: do not modify)
 * @param channels the channel count
 * @param bits bits per sample (8, 16, 24 or 32)
 * @param sampleRate samples per second
 */
public record CapturedPcm(String name, byte[] bytes, int channels, int bits, int sampleRate) {

    /** @return a new mono clip at {@link #sampleRate()} (not null) */
    public PcmClip decode() {
        return new PcmClip(name, AudioDataReader.downmix(bytes, channels, bits), sampleRate);
    }
}
