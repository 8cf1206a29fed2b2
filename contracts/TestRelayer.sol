// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title TestRelayer
/// @notice Tests only: a relayer contract as services such as Gelato use them. It forwards calls (e.g. a Safe's
///         execTransaction, already signed by the owners) in one transaction, so the Safe is not the transaction's
///         `to` and its call can only be read from a call trace.
contract TestRelayer {
    /// @notice Forwards each call in order; reverts with the first failure's data.
    function relay(address[] calldata targets, bytes[] calldata calls) external {
        require(targets.length == calls.length, "targets and calls differ in length");
        for (uint256 i = 0; i < targets.length; i++) {
            (bool ok, bytes memory result) = targets[i].call(calls[i]);
            if (!ok) {
                assembly {
                    revert(add(result, 32), mload(result))
                }
            }
        }
    }
}
