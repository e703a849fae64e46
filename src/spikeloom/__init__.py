"""spikeloom: spiking networks compiled into one loop."""
