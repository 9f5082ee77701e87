package dev.parley.head;

import com.jme3.export.InputCapsule;
import com.jme3.export.JmeExporter;
import com.jme3.export.JmeImporter;
import com.jme3.export.OutputCapsule;
import com.jme3.export.Savable;
import dev.parley.util.Validate;
import java.io.IOException;

/**
 * The beta {@link HeadShape#apply} records on a model as user data. A Savable of its own because jME 3.9's
 * binary importer cannot read back a {@code Float[]} user-data array without logging a SEVERE exception.
 */
public final class BetaRecord implements Savable {

    private float[] beta;

    /** For jME's importer only: an empty record (the mean face). */
    public BetaRecord() {
        beta = new float[0];
    }

    /**
     * A record of a beta, for a model shaped without {@link HeadShape#apply}.
     *
     * @param beta the identity weights (not null, unaffected)
     */
    public BetaRecord(float[] beta) {
        this.beta = Validate.nonNull(beta, "beta").clone();
    }

    /** @return a new array: the recorded beta */
    public float[] beta() {
        return beta.clone();
    }

    @Override
    public void write(JmeExporter ex) throws IOException {
        OutputCapsule c = ex.getCapsule(this);
        c.write(beta, "beta", new float[0]);
    }

    @Override
    public void read(JmeImporter im) throws IOException {
        InputCapsule c = im.getCapsule(this);
        beta = c.readFloatArray("beta", new float[0]);
    }
}
