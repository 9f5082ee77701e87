package dev.parley.retarget;

import com.jme3.asset.AssetInfo;
import com.jme3.asset.AssetLoader;
import java.io.IOException;
import java.io.InputStream;

/** Loads {@code *.retarget.json} through the asset manager (see {@link RetargetKey}): {@link RetargetSet#read}. */
public class RetargetLoader implements AssetLoader {

    @Override
    public Object load(AssetInfo assetInfo) throws IOException {
        try (InputStream in = assetInfo.openStream()) {
            return RetargetSet.read(in, assetInfo.getKey().getName());
        }
    }
}
