package dev.llmo.provider.http;

import dev.llmo.provider.RemoteModel;
import java.util.List;

/**
 * One page of a model listing.
 *
 * @param next the token or id for the next page, or null on the last one
 */
public record ModelPage(List<RemoteModel> models, String next) {
    public ModelPage {
        models = List.copyOf(models);
    }
}
