// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title OldSafeSingletonStub
/// @notice Tests only: stands in for a Safe singleton older than v1.3.0 behind a real Safe proxy.
///         It answers VERSION() as a Safe v1.1.1 does, and nothing else.
contract OldSafeSingletonStub {
    string public constant VERSION = "1.1.1";
}
