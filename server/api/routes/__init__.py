"""One APIRouter per resource. Sync owns enroll, batches, device, admin and ops; the domain adds its own."""
