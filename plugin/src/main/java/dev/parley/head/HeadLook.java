package dev.parley.head;

import com.jme3.asset.AssetManager;
import com.jme3.material.Material;
import com.jme3.math.ColorRGBA;
import com.jme3.scene.Geometry;
import com.jme3.scene.Spatial;
import com.jme3.scene.VertexBuffer;
import dev.parley.util.Validate;

/**
 * The default look of a Parley head: jME's Phong lighting with the head's vertex colours as albedo
 * (skin, lips, mouth interior, teeth, eyes) and a soft specular. The glTF file carries a PBR material
 * for other viewers; Phong needs no environment probe, so it looks right in any scene.
 */
public final class HeadLook {

    private HeadLook() {
    }

    /**
     * Gives every geometry with vertex colours under {@code model} the default head material.
     *
     * @param model the loaded head (not null; materials replaced)
     * @param assetManager loads the material definition (not null)
     * @return the number of geometries changed
     */
    public static int apply(Spatial model, AssetManager assetManager) {
        Validate.nonNull(model, "model");
        Validate.nonNull(assetManager, "assetManager");
        Material mat = new Material(assetManager, "Common/MatDefs/Light/Lighting.j3md");
        mat.setBoolean("UseVertexColor", true);
        mat.setBoolean("UseMaterialColors", true);
        mat.setColor("Diffuse", ColorRGBA.White);
        mat.setColor("Ambient", new ColorRGBA(0.9f, 0.9f, 0.9f, 1f));
        mat.setColor("Specular", new ColorRGBA(0.18f, 0.17f, 0.16f, 1f));
        mat.setFloat("Shininess", 24f);
        int[] changed = {0};
        model.depthFirstTraversal(s -> {
            if (s instanceof Geometry g && g.getMesh().getBuffer(VertexBuffer.Type.Color) != null) {
                g.setMaterial(mat);
                changed[0]++;
            }
        });
        return changed[0];
    }
}
