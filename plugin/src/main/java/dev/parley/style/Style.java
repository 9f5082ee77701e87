package dev.parley.style;

import dev.parley.util.AssetFormatException;
import dev.parley.util.Validate;

/**
 * A speaking style: an embedding from a model pack's style encoder, with the pack it belongs to.
 * Immutable: the embedding is copied in and {@link #embedding()} returns a copy.
 */
public final class Style {

    private final String source;
    private final String displayName;
    private final String packId;
    private final float[] embedding;

    /**
     * @param source the asset path or name, for messages (not null)
     * @param displayName the name shown to people (not null)
     * @param packId the model pack the embedding belongs to (not null, not empty)
     * @param embedding the style embedding (not null, not empty, finite, unaffected)
     */
    public Style(String source, String displayName, String packId, float[] embedding) {
        this.source = Validate.nonNull(source, "source");
        this.displayName = Validate.nonNull(displayName, "displayName");
        this.packId = Validate.nonEmpty(packId, "packId");
        Validate.nonNull(embedding, "embedding");
        if (embedding.length == 0) {
            throw new IllegalArgumentException("embedding must not be empty");
        }
        this.embedding = Validate.finite(embedding, "embedding").clone();
    }

    /** @return the asset path or name (not null) */
    public String source() {
        return source;
    }

    /** @return the name shown to people (not null) */
    public String displayName() {
        return displayName;
    }

    /** @return the model pack id the embedding belongs to (not null) */
    public String packId() {
        return packId;
    }

    /** @return the embedding's dimension */
    public int dimension() {
        return embedding.length;
    }

    /** @return a copy of the embedding (a new array) */
    public float[] embedding() {
        return embedding.clone();
    }

    /**
     * Copies the embedding into a caller's buffer without allocating.
     *
     * @param store the destination (not null, length = dimension, modified)
     * @param offset where to start writing
     */
    public void copyEmbedding(float[] store, int offset) {
        System.arraycopy(embedding, 0, store, offset, embedding.length);
    }

    /**
     * Checks that this style can condition a given pack.
     *
     * @param expectedPackId the pack's id (not null)
     * @param expectedDimension the pack's style dimension
     * @throws AssetFormatException naming the style, the pack and the mismatch
     */
    public void checkCompatible(String expectedPackId, int expectedDimension) {
        if (embedding.length != expectedDimension) {
            throw new AssetFormatException(source, "dimension", "is " + embedding.length + " but pack '"
                    + expectedPackId + "' expects " + expectedDimension);
        }
        if (!packId.equals(expectedPackId)) {
            throw new AssetFormatException(source, "pack", "is '" + packId + "' but the loaded pack is '"
                    + expectedPackId + "': re-extract the style with that pack's style encoder");
        }
    }

    @Override
    public String toString() {
        return "Style[" + displayName + ", pack " + packId + ", dim " + embedding.length + ", " + source + "]";
    }
}
