package dev.parley.head;

import com.jme3.asset.AssetManager;
import com.jme3.material.Material;
import com.jme3.scene.Geometry;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import dev.parley.util.Validate;

/**
 * The default look of a Parley head: {@code Parley/MatDefs/Face/Face.j3md} with the head's vertex
 * colours as albedo (skin, lips, mouth interior, teeth, eyes), per-vertex gloss from TexCoord2, soft
 * wrapped diffuse, and GPU morphing when bound by a {@link dev.parley.rig.FaceRig}. The glTF file
 * carries a PBR material for other viewers; this one needs no environment probe.
 */
public final class HeadLook {

    /** The face material definition's asset path. */
    public static final String MATERIAL_DEF = "Parley/MatDefs/Face/Face.j3md";

    private HeadLook() {
    }

    /**
     * Gives every geometry with vertex colours under {@code model} its own instance of the face material.
     *
     * @param model the loaded head (not null; materials replaced)
     * @param assetManager loads the material definition (not null)
     * @return the number of geometries changed
     */
    public static int apply(Spatial model, AssetManager assetManager) {
        Validate.nonNull(model, "model");
        Validate.nonNull(assetManager, "assetManager");
        int[] changed = {0};
        model.depthFirstTraversal(s -> {
            if (s instanceof Geometry g && g.getMesh().getBuffer(VertexBuffer.Type.Color) != null) {
                Material mat = new Material(assetManager, MATERIAL_DEF);
                mat.setBoolean("UseVertexColor", true);
                mat.setBoolean("UseGlossFromTexCoord2", g.getMesh().getBuffer(VertexBuffer.Type.TexCoord2) != null);
                g.setMaterial(mat);
                changed[0]++;
            }
        });
        return changed[0];
    }
}
