package dev.parley.demo;

import com.jme3.audio.AudioNode;
import com.jme3.bounding.BoundingBox;
import com.jme3.math.Vector3f;
import com.jme3.scene.Node;
import com.jme3.scene.Spatial;
import dev.parley.app.TalkingHead;
import dev.parley.util.Validate;

/**
 * One demo character: who it is, its scene nodes, the style preset it speaks in and its
 * {@link TalkingHead}, which animates every line whatever the driver (the model or the energy jaw,
 * chosen as the head's {@link dev.parley.app.MotionSource}), plays its audio and blends it with idle
 * motion. Render thread only.
 */
public final class CastMember {

    private final CharacterProfile profile;
    private final Node node;
    private final Spatial head;
    private final TalkingHead talker;
    private final BoundingBox mouthBox;
    private StylePreset style;
    private AudioNode audio;

    /**
     * @param profile who the character is (not null)
     * @param node the character's root node, body and head attached (not null)
     * @param head the head model (not null)
     * @param talker the head's Parley character (not null)
     * @param mouthBox the lips' bounding box in the head's model space (not null, unaffected)
     */
    public CastMember(CharacterProfile profile, Node node, Spatial head, TalkingHead talker, BoundingBox mouthBox) {
        this.profile = Validate.nonNull(profile, "profile");
        this.node = Validate.nonNull(node, "node");
        this.head = Validate.nonNull(head, "head");
        this.talker = Validate.nonNull(talker, "talker");
        this.mouthBox = (BoundingBox) Validate.nonNull(mouthBox, "mouthBox").clone();
        this.style = StylePreset.named(profile.style());
    }

    /** @return true while a line or live audio is being animated */
    public boolean isTalking() {
        return talker.isSpeaking();
    }

    /** @return the character's Parley head (not null) */
    public TalkingHead talker() {
        return talker;
    }

    /**
     * Remembers the node of the line being said; the previous line's node leaves the scene.
     *
     * @param node the new line's audio node (not null)
     */
    void replaceAudio(AudioNode node) {
        if (audio != null) {
            audio.removeFromParent(); // its line has ended or is being stopped by the head
        }
        audio = Validate.nonNull(node, "node");
    }

    /**
     * Sets the character's style preset (for the next lines and for saving).
     *
     * @param preset the preset (not null)
     */
    public void setStyle(StylePreset preset) {
        style = Validate.nonNull(preset, "preset");
    }

    /** @return who the character is (not null) */
    public CharacterProfile profile() {
        return profile;
    }

    /** @return the style preset in use (the profile's until a line sets another; not null) */
    public StylePreset style() {
        return style;
    }

    /** @return the character's root node (not null) */
    public Node node() {
        return node;
    }

    /** @return the head model (not null) */
    public Spatial head() {
        return head;
    }

    /**
     * @param store receives the mouth's centre in world space (not null, modified)
     * @return {@code store}
     */
    public Vector3f mouthCenter(Vector3f store) {
        return head.localToWorld(mouthBox.getCenter(), store);
    }

    /**
     * The 8 corners of the lips' box, a little deeper below for the open jaw, in world space.
     *
     * @return new corner points (not null)
     */
    public Vector3f[] mouthCorners() {
        return corners(mouthBox, 0.015f);
    }

    /**
     * The 8 corners of a box in the head's model space, in world space.
     *
     * @param box the box (not null, unaffected)
     * @param below how much further down the lower corners go, in model units (&ge;0)
     * @return new corner points (not null)
     */
    Vector3f[] corners(BoundingBox box, float below) {
        Vector3f c = box.getCenter();
        float x = box.getXExtent();
        float y = box.getYExtent();
        float z = box.getZExtent();
        Vector3f[] out = new Vector3f[8];
        for (int i = 0; i < 8; i++) {
            Vector3f local = new Vector3f(c.x + ((i & 1) == 0 ? -x : x), c.y + ((i & 2) == 0 ? -y - below : y),
                    c.z + ((i & 4) == 0 ? -z : z));
            out[i] = head.localToWorld(local, null);
        }
        return out;
    }

    @Override
    public String toString() {
        return profile.name();
    }
}
