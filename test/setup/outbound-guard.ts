// Every workers test runs with outbound requests intercepted: a request to an origin the test did not
// route fails that request and the test (test/doubles/outbound.ts).
import { installOutboundGuard } from "../doubles/outbound.ts";

installOutboundGuard();
