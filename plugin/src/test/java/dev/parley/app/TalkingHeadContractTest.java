package dev.parley.app;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.jme3.asset.AssetManager;
import com.jme3.export.binary.BinaryExporter;
import com.jme3.scene.Node;
import com.jme3.scene.Spatial;
import dev.parley.head.HeadSpec;
import dev.parley.service.ServiceSettings;
import dev.parley.testing.Golden;
import dev.parley.testing.TestAssets;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;

/** jME's clone and save contracts: a talking head refuses both, by name, and says what to do. */
class TalkingHeadContractTest {

    @Test
    void cloningOrSavingAModelWithATalkingHeadIsRefusedClearly() {
        AssetManager am = TestAssets.assetManager();
        HeadSpec spec = HeadSpec.load(am, TestAssets.HEAD_SPEC);
        Node npc = new Node("Mara");
        Spatial model = am.loadModel(TestAssets.HEAD_MODEL);
        npc.attachChild(model);
        // Not attached to a state manager: attach() binds the rig; no worker starts.
        ParleyAppState parley = new ParleyAppState(Golden.pack(), ServiceSettings.defaults().withPreferCuda(false));
        TalkingHead head = parley.attach(model, spec, null);
        assertNotNull(head.getFace());

        UnsupportedOperationException clone = assertThrows(UnsupportedOperationException.class, npc::clone);
        assertTrue(clone.getMessage().contains("belongs to its ParleyAppState and cannot be cloned"),
                clone.getMessage());
        UnsupportedOperationException save = assertThrows(UnsupportedOperationException.class,
                () -> BinaryExporter.getInstance().save(npc, new ByteArrayOutputStream()));
        assertTrue(save.getMessage().contains("is not saved"), save.getMessage());

        // What the message says works: detach, then the clone can be attached as another character.
        parley.detach(head);
        Spatial twin = model.clone();
        TalkingHead other = parley.attach(twin, spec, null);
        assertSame(twin, other.getFace().getRig().getModel());
    }
}
